export { serveProcess } from "./serve";
export { runSupervisor } from "./supervisor";
export { startHttpServer } from "./http-server";
