export { runService, StoppedWhileStarting, type Running, type StopReport, type LifecycleOptions } from "./run-service";
