/**
 * Classifies newly created links off the request path: `link.created` events are queued, run
 * through the model in batches, and the verdict is written on the link's shard. Used in-process in
 * embedded mode and by `ringlink worker classifier` with Kafka. A URL the model cannot handle leaves
 * the link uncategorised and is counted; nothing here ever throws into the event source.
 */
import type { LinkEvent } from "../events";
import type { LinkStore } from "../storage";
import type { ClassifierResult } from "./url-classifier.ts";
import { log } from "../log";
import { SpanStatusCode, startContinuedSpan, withSpan } from "../tracing";

export interface Classifier {
  classify(urls: readonly string[]): Promise<ClassifierResult[]>;
}

export interface LinkClassifierStats {
  classified: number;
  failed: number;
  skipped: number;
  batches: number;
  byLabel: Record<string, number>;
}

export interface LinkClassifierOptions {
  store: LinkStore;
  /** loads the model on first use, so a process that never sees a create never pays for it */
  classifier: () => Promise<Classifier>;
  batchSize?: number;
  /** called after a verdict is written (abuse protection disables links found suspicious) */
  onVerdict?: (code: string, verdict: ClassifierResult) => Promise<unknown>;
}

export class LinkClassifier {
  readonly stats: LinkClassifierStats = { classified: 0, failed: 0, skipped: 0, batches: 0, byLabel: {} };
  private model: Promise<Classifier> | null = null;
  private readonly batchSize: number;

  constructor(private readonly opts: LinkClassifierOptions) {
    this.batchSize = opts.batchSize ?? 64;
  }

  private queued: LinkEvent[] = [];
  private running: Promise<void> | null = null;

  /**
   * Embedded mode: takes the events and returns at once, so the in-process bus (which also
   * carries clicks) never waits for the model. Bounded: past 10,000 waiting links the rest are
   * counted as skipped and stay uncategorised.
   */
  enqueue(events: readonly LinkEvent[]): void {
    const room = 10_000 - this.queued.length;
    if (events.length > room) this.stats.skipped += events.length - Math.max(room, 0);
    this.queued.push(...events.slice(0, Math.max(room, 0)));
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, this.batchSize);
      await this.handle(batch);
    }
    this.running = null;
  }

  /** Resolves when everything enqueued so far has been handled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Handles one delivery of events; resolves when their categories are written (or given up on). */
  async handle(events: readonly LinkEvent[]): Promise<void> {
    // A create whose unsafe-URL check ran the model carries its category, already on the row.
    const creates = events.filter(
      (e): e is LinkEvent & { url: string } => e.type === "write" && e.status === "OK" && typeof e.url === "string" && e.category === undefined,
    );
    this.stats.skipped += events.length - creates.length;
    for (let i = 0; i < creates.length; i += this.batchSize) await this.classifyBatch(creates.slice(i, i + this.batchSize));
  }

  private async classifyBatch(batch: Array<LinkEvent & { url: string }>): Promise<void> {
    // Each traced create gets its classification as a span of its own trace (the model run is
    // shared by the batch, so every such span covers it).
    const spans = batch.map((e) => startContinuedSpan("link.classify_category", e.trace, { "ringlink.code": e.short_code, "ringlink.batch": batch.length }));
    let results: ClassifierResult[];
    try {
      this.model ??= this.opts.classifier();
      results = await (await this.model).classify(batch.map((e) => e.url));
    } catch (error) {
      // A model that fails to load is retried on the next batch rather than cached as broken.
      this.model = null;
      this.stats.failed += batch.length;
      log.error("classification failed", { links: batch.length, error });
      for (const span of spans) span?.setStatus({ code: SpanStatusCode.ERROR, message: "classification failed" }).end();
      return;
    }
    this.stats.batches++;
    await Promise.all(
      batch.map(async (event, i) => {
        const verdict = results[i]!;
        const span = spans[i] ?? null;
        span?.setAttributes({ "ringlink.category": verdict.label, "ringlink.confidence": verdict.confidence });
        try {
          if (!(await withSpan(span, () => this.opts.store.setCategory(event.short_code, verdict.label, verdict.confidence)))) {
            this.stats.skipped++; // the link is gone (deleted before its turn came)
            return;
          }
          this.stats.classified++;
          this.stats.byLabel[verdict.label] = (this.stats.byLabel[verdict.label] ?? 0) + 1;
          await withSpan(span, async () => this.opts.onVerdict?.(event.short_code, verdict));
        } catch (error) {
          this.stats.failed++;
          span?.setStatus({ code: SpanStatusCode.ERROR, message: "category not written" });
          log.warn("category not written", { code: event.short_code, error });
        } finally {
          span?.end();
        }
      }),
    );
  }
}
