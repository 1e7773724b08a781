export { requestLog, logRequest } from "./request-log";
