export { runService, StoppedWhileStarting } from "./run-service";
