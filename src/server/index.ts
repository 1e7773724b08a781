export { serveProcess } from "./serve";
export { runSupervisor } from "./supervisor";
export { InstanceLock, InstanceLockError } from "./instance-lock";
