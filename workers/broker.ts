/**
 * A worker's way to its broker: a kafkajs client, and the event topics made sure of. A worker
 * started before the broker (a deploy, a reboot) waits for it instead of exiting, until it is
 * stopped.
 */
import type { Kafka } from "kafkajs";
import { ConfigError, type Config } from "../src/config";
import { createKafka, ensureTopics, topicSettingsOf } from "../src/events";
import { StoppedWhileStarting } from "../src/lifecycle";
import type { Logger } from "../src/log";

/** A worker exists to consume the broker's topics: without KAFKA_BROKERS it refuses to start, naming what `serve` does instead. */
export function requireBroker(config: Config, worker: string, withoutBroker: string): void {
  if (config.kafkaBrokers.length === 0) {
    throw new ConfigError("KAFKA_BROKERS", `is required by \`ringlink worker ${worker}\` (without a broker, \`ringlink serve\` ${withoutBroker})`);
  }
}

export async function connectToBroker(config: Config, clientId: string, stopping: AbortSignal, log: Logger): Promise<Kafka> {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId });
  const aborted = new Promise<void>((resolve) => stopping.addEventListener("abort", () => resolve(), { once: true }));
  for (let attempt = 0; ; attempt++) {
    if (stopping.aborted) throw new StoppedWhileStarting();
    try {
      const created = await ensureTopics(kafka, topicSettingsOf(config.events));
      if (created.length > 0) log.info("created topics", { topics: created });
      return kafka;
    } catch (error) {
      log.warn("waiting for the event broker", { brokers: config.kafkaBrokers, error: error instanceof Error ? error.message : String(error) });
      await Promise.race([Bun.sleep(Math.min(500 * 2 ** attempt, 10_000)), aborted]);
    }
  }
}

/** Logs `fields()` every `everyMs` while there is something to say (null: nothing changed). */
export function startProgress(log: Logger, fields: (elapsedMs: number) => Record<string, unknown> | null, everyMs = 5_000): () => void {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const line = fields(now - last);
    last = now;
    if (line !== null) log.info("progress", line);
  }, everyMs);
  return () => clearInterval(timer);
}
