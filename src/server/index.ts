export { serveProcess } from "./serve";
export { runSupervisor } from "./supervisor";
export { startHttpServer } from "./http-server";
export { InstanceLock, InstanceLockError, isServing, lockPath } from "./instance-lock";
export { watchSupervisor } from "./supervisor-watch";
