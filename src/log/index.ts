export { log, configureLog, type Logger, type LogFields, type LogFormat } from "./logger";
