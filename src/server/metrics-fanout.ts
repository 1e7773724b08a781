/**
 * Whole-instance /metrics in multi-process mode. The process that receives the scrape asks the
 * supervisor; the supervisor asks every child for its metrics as JSON, merges them with
 * prom-client's AggregatorRegistry (counters and histograms summed) and answers the asker.
 * A child that does not answer within the deadline is left out rather than failing the scrape.
 */
import { AggregatorRegistry } from "prom-client";
import type { Metrics } from "../observability";
import { log } from "../log";

const COLLECT_DEADLINE_MS = 1000;

type Json = Awaited<ReturnType<Metrics["json"]>>;
export type FanoutMessage =
  | { kind: "metrics-request"; id: number }
  | { kind: "metrics-collect"; id: number }
  | { kind: "metrics-json"; id: number; data: Json }
  | { kind: "metrics-result"; id: number; text: string };

export function isFanoutMessage(m: unknown): m is FanoutMessage {
  const kind = (m as { kind?: unknown } | null)?.kind;
  return kind === "metrics-request" || kind === "metrics-collect" || kind === "metrics-json" || kind === "metrics-result";
}

/** Child side: answers collects, and turns a scrape into a request to the supervisor. */
export class MetricsFanoutClient {
  private next = 0;
  private readonly pending = new Map<number, (text: string) => void>();

  constructor(private readonly metrics: Metrics) {
    process.on("message", (m: unknown) => {
      if (!isFanoutMessage(m)) return;
      if (m.kind === "metrics-collect") {
        void metrics.json().then((data) => process.send?.({ kind: "metrics-json", id: m.id, data } satisfies FanoutMessage));
      } else if (m.kind === "metrics-result") {
        this.pending.get(m.id)?.(m.text);
        this.pending.delete(m.id);
      }
    });
  }

  text(): Promise<string> {
    const id = this.next++;
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.metrics.text().then(resolve); // the supervisor is gone or slow: our own slice beats nothing
      }, COLLECT_DEADLINE_MS * 2);
      this.pending.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      process.send?.({ kind: "metrics-request", id } satisfies FanoutMessage);
    });
  }
}

/** Supervisor side. `send(index, message)` reaches one child; `indexes()` lists the live ones. */
export class MetricsFanoutHub {
  private nextCollect = 0;
  private readonly collecting = new Map<number, { parts: Json[]; expected: number; done: () => void }>();

  constructor(
    private readonly send: (index: number, message: FanoutMessage) => void,
    private readonly indexes: () => number[],
  ) {}

  handle(from: number, m: FanoutMessage): void {
    if (m.kind === "metrics-request") void this.collect(from, m.id);
    else if (m.kind === "metrics-json") {
      const c = this.collecting.get(m.id);
      if (!c) return;
      c.parts.push(m.data);
      if (c.parts.length >= c.expected) c.done();
    }
  }

  private async collect(requester: number, requestId: number): Promise<void> {
    const id = this.nextCollect++;
    const targets = this.indexes();
    const parts: Json[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, COLLECT_DEADLINE_MS);
      this.collecting.set(id, {
        parts,
        expected: targets.length,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const i of targets) this.send(i, { kind: "metrics-collect", id });
    });
    this.collecting.delete(id);
    let text = "";
    try {
      text = parts.length > 0 ? await AggregatorRegistry.aggregate(parts).metrics() : "";
    } catch (error) {
      log.error("could not merge process metrics", { error });
    }
    // An empty answer makes the asking process fall back to its own slice.
    if (text === "") return;
    this.send(requester, { kind: "metrics-result", id: requestId, text });
  }
}
