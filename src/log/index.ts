export { log, configureLog, createLogger, type Logger, type LogFields, type LogFormat, type LogSink } from "./logger";
