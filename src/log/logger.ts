/**
 * The one logger of every mode (serve, the supervisor, the workers, the tools' background parts).
 * Each line is one JSON object with `ts` and `level` first and `msg` after them, so a line can be
 * grepped (`"msg":"listening"`) as well as parsed; warnings and errors go to stderr, the rest to
 * stdout. LOG_FORMAT=pretty prints the same fields as text for a person at a terminal.
 *
 * Lines go through console.log/console.error, which write before the call returns: a process that
 * logs "stopped" and exits at once does not lose the line.
 */
export type LogLevel = "info" | "warn" | "error";
export type LogFormat = "json" | "pretty";
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (a role, a component). */
  child(fields: LogFields): Logger;
}

export interface LogSink {
  format: LogFormat;
  /** info lines */
  out(line: string): void;
  /** warnings and errors */
  err(line: string): void;
  now(): Date;
}

/** Errors serialise as their message (JSON.stringify would make `{}` of them). */
function plain(value: unknown): unknown {
  return value instanceof Error ? String(value) : value;
}

function jsonLine(ts: string, level: LogLevel, msg: string, bound: LogFields, fields: LogFields | undefined): string {
  return JSON.stringify({ ts, level, msg, ...bound, ...fields }, (_key, value) => plain(value));
}

function prettyValue(value: unknown): string {
  const v = plain(value);
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return typeof v === "bigint" ? v.toString() : (JSON.stringify(v) ?? String(v));
}

function prettyLine(ts: string, level: LogLevel, msg: string, bound: LogFields, fields: LogFields | undefined): string {
  const parts = [ts, level.toUpperCase().padEnd(5), msg];
  for (const [key, value] of Object.entries({ ...bound, ...fields })) if (value !== undefined) parts.push(`${key}=${prettyValue(value)}`);
  return parts.join(" ");
}

/**
 * A logger over `sink`. `scopes` are the bound fields of the logger and its parents, read at each
 * line: the process's own fields (configureLog) reach loggers made before they were set.
 */
export function createLogger(sink: LogSink, ...scopes: LogFields[]): Logger {
  const write = (level: LogLevel, msg: string, fields: LogFields | undefined) => {
    const ts = sink.now().toISOString();
    const bound = scopes.length === 1 ? scopes[0]! : Object.assign({}, ...scopes);
    const line = sink.format === "pretty" ? prettyLine(ts, level, msg, bound, fields) : jsonLine(ts, level, msg, bound, fields);
    if (level === "info") sink.out(line);
    else sink.err(line);
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(sink, ...scopes, fields),
  };
}

/** The process's sink and fields: configured once at start-up (configureLog), shared by every child logger. */
const processSink: LogSink = {
  format: "json",
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  now: () => new Date(),
};
const processFields: LogFields = {};

/** The process's logger. Modules log through it (or a child of it); nothing else writes log lines. */
export const log: Logger = createLogger(processSink, processFields);

/**
 * Sets the format (from Config.logFormat) and the fields every line of this process carries (a
 * worker's `role`). Loggers made before the call follow it too.
 */
export function configureLog(options: { format?: LogFormat; fields?: LogFields }): void {
  if (options.format !== undefined) processSink.format = options.format;
  if (options.fields !== undefined) Object.assign(processFields, options.fields);
}
