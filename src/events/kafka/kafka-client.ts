/**
 * The one place a kafkajs client is built, for the producer (server), the consumer (worker) and
 * topic administration (migrate). Timeouts are short on purpose: the producer must learn quickly
 * that the broker is gone so it can spool instead of holding events in memory.
 */
import { Kafka, logLevel, type LogEntry } from "kafkajs";
import { log as processLog } from "../../log";

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** kafkajs logs every failed attempt while a broker is down; one line per message per 10 s is enough. */
const REPEAT_WINDOW_MS = 10_000;

function rateLimitedLogger() {
  const lastSeen = new Map<string, number>();
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      // Stack traces of connection errors say nothing the message does not; they would flood the log.
      const { message, timestamp: _ts, logger: _logger, stack: _stack, ...extra } = log as LogEntry["log"] & { logger?: string; stack?: string };
      const key = `${namespace}|${message}`;
      const now = Date.now();
      if ((lastSeen.get(key) ?? 0) > now - REPEAT_WINDOW_MS) return;
      if (lastSeen.size > 1000) lastSeen.clear();
      lastSeen.set(key, now);
      const write = level === logLevel.ERROR ? processLog.error : level === logLevel.WARN ? processLog.warn : processLog.info;
      write(`kafka: ${message}`, { component: namespace, ...extra });
    };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 1_000,
    requestTimeout: options.requestTimeoutMs ?? 5_000,
    // Client-level retries apply to metadata and admin calls; the producer and consumer set their own.
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel.WARN,
    logCreator: rateLimitedLogger(),
  });
}
