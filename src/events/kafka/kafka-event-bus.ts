/**
 * The EventBus on Kafka. `publish` is an array push; a sender loop ships the queue in batches (after
 * `lingerMs`, or at once when `batchSize` events are waiting), packed into a few records per send
 * (see encodeRecords and ../event-records.ts).
 *
 * When a send fails (broker down, unreachable, timing out) the batch goes to the on-disk spool
 * journal, and so does everything published after it until the journal has been replayed, in
 * order, to the broker. That keeps the broker's view in publish order across an outage, and no
 * event waits in memory for a broker that is not there. The journal is bounded; what does not fit
 * is dropped and counted.
 *
 * Delivery is at least once (a send that timed out may have been written; a replayed batch may be
 * replayed again after a crash): consumers dedupe by `event_id`. What is lost: events still in the
 * in-memory queue when the process is killed with SIGKILL (at most one linger interval, or the
 * queue of one in-flight send). SIGTERM flushes them, to the broker or the journal.
 *
 * Local subscribers (`subscribe`) see this process's events through an in-process bus, so features
 * such as a live feed work the same in both modes; cross-process consumers read the topic, which
 * carries clicks that were answered (status OK) and every write, not misses.
 */
import { Partitioners, type Kafka, type Message, type Producer } from "kafkajs";
import type { DependencyHealth } from "../../cluster";
import type { EventBus, EventBusStats, EventHandler } from "../event-bus";
import { InProcessEventBus } from "../in-process-bus";
import { isEventTopic, type EventTopic, type LinkEvent } from "../link-event";
import { encodeRecord, recordBytesOf } from "../event-records";
import { SpoolJournal } from "../spool-journal";
import { ensureTopics, physicalTopic, type TopicSettings } from "./kafka-topics";
import { log } from "../../log";

export interface KafkaEventBusOptions {
  kafka: Kafka;
  topics: TopicSettings;
  /** wait this long for more events before sending a batch */
  lingerMs: number;
  /** send as soon as this many events are queued */
  batchSize: number;
  spoolDir: string;
  spoolMaxBytes: number;
  /**
   * Events waiting in memory behind a send in flight before they move to the journal: the broker
   * (or kafkajs, ~8 us of CPU per event) is slower than the redirects, and a burst should cost
   * disk, not memory or clicks. The journal then drains through the replay loop.
   */
  spillAt?: number;
  /** hard memory bound: events past it are dropped (only if the timer cannot run to spill) */
  maxQueued?: number;
  /** the broker's default message.max.bytes is 1 MiB per partition batch: stay under it */
  maxBatchBytes?: number;
  /** events per send (packed into one record per topic and lane) */
  maxBatchMessages?: number;
  /** longest pause between attempts to replay the journal */
  maxRetryDelayMs?: number;
}

export interface KafkaBusStats extends EventBusStats {
  /** acknowledged by the broker, replayed ones included (the same number as `delivered`) */
  produced: number;
  /** written to the journal */
  spooled: number;
  /** sent from the journal and acknowledged */
  replayed: number;
  /** failed sends (each one moves the bus to spooling) */
  sendErrors: number;
}

/** What is waiting right now (gauges, unlike the counters in stats()). */
export interface KafkaBusBacklog {
  queued: number;
  spoolBytes: number;
  spooling: boolean;
}

type Queued = [EventTopic, LinkEvent];

/**
 * A record ready for the wire or the journal: `count` events of one topic and lane, packed by
 * encodeRecord. A code always falls in the same lane (key `lane-N`), so its events share a
 * partition and consumers of different partitions never update one link's rows at once.
 */
export interface Encoded {
  topic: EventTopic;
  key: string;
  count: number;
  value: string;
}

const laneIndex = (code: string, lanes: number): number => (lanes <= 1 ? 0 : Bun.hash.murmur32v3(code) % lanes);
export const laneOf = (code: string, lanes: number): string => `lane-${laneIndex(code, lanes)}`;

interface OpenRecord {
  topic: EventTopic;
  lane: number;
  events: LinkEvent[];
  bytes: number;
}

/**
 * Packs queued events into records: one per topic and lane, none larger than `maxBytes` (the
 * broker's message.max.bytes is 1 MiB by default). Per event: one hash for its lane and a lookup by
 * a small number; the record key string is made once per record.
 */
export function encodeRecords(queued: readonly Queued[], lanes: number, maxBytes: number): Encoded[] {
  const open = new Map<number, OpenRecord>();
  const topicIds = new Map<EventTopic, number>();
  const out: Encoded[] = [];
  const close = (group: OpenRecord) =>
    out.push({ topic: group.topic, key: `lane-${group.lane}`, count: group.events.length, value: encodeRecord(group.events) });
  for (const [topic, event] of queued) {
    const lane = laneIndex(event.short_code, lanes);
    let topicId = topicIds.get(topic);
    if (topicId === undefined) {
      topicId = topicIds.size;
      topicIds.set(topic, topicId);
    }
    const id = topicId * lanes + lane;
    const bytes = recordBytesOf(event);
    let group = open.get(id);
    if (group && group.bytes + bytes > maxBytes) {
      close(group);
      group = undefined;
    }
    if (!group) {
      group = { topic, lane, events: [], bytes: 0 };
      open.set(id, group);
    }
    group.events.push(event);
    group.bytes += bytes;
  }
  for (const group of open.values()) close(group);
  return out;
}

const countOf = (records: readonly Encoded[]): number => records.reduce((n, r) => n + r.count, 0);

/**
 * Journal lines are `{"topic":"link.clicked","key":"lane-1","count":57,"record":{...}}`: readable
 * with jq, replayable without the code that wrote them. Reading them back slices the record out
 * instead of parsing and re-serialising it (replay runs on the redirect thread). Lines of one event
 * each, `{"topic":...,"event":{...}}`, left by an older version, replay too.
 */
const SPOOL_LINE = /^\{"topic":"(link\.(?:clicked|created|updated|deleted|disabled))","key":"(lane-\d{1,4})","count":(\d{1,7}),"record":/;

function encodeSpoolLine({ topic, key, count, value }: Encoded): string {
  return `{"topic":"${topic}","key":"${key}","count":${count},"record":${value}}`;
}

export function decodeSpoolLine(line: string, lanes = 1): Encoded | null {
  const head = SPOOL_LINE.exec(line);
  if (head && line.endsWith("}}")) return { topic: head[1] as EventTopic, key: head[2]!, count: Number(head[3]), value: line.slice(head[0].length, -1) };
  try {
    const parsed = JSON.parse(line) as { topic?: EventTopic; event?: LinkEvent };
    if (!isEventTopic(parsed.topic) || typeof parsed.event?.short_code !== "string") return null;
    return { topic: parsed.topic, key: laneOf(parsed.event.short_code, lanes), count: 1, value: JSON.stringify(parsed.event) };
  } catch {
    return null;
  }
}

export class KafkaEventBus implements EventBus {
  private readonly opts: Required<Omit<KafkaEventBusOptions, "kafka" | "topics" | "spoolDir">> & KafkaEventBusOptions;
  private readonly producer: Producer;
  private readonly journal: SpoolJournal;
  private readonly local = new InProcessEventBus();
  private readonly localSubscribers = new Map<EventTopic, number>();
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerIsImmediate = false;
  private lastSpillLog = 0;
  private lastDropLog = 0;
  private sending: Promise<void> | null = null;
  private connecting: Promise<void> | null = null;
  private replayTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelayMs = 100;
  /** one replay loop at a time: two would read (and send) the same journal lines */
  private replaying = false;
  /** a replay was asked for while one ran: run again after it, or the request would be lost */
  private replayAgain = false;
  private brokerDown = false;
  private lastError = "";
  private closing = false;
  private readonly counters = { published: 0, produced: 0, spooled: 0, replayed: 0, dropped: 0, sendErrors: 0 };

  constructor(options: KafkaEventBusOptions) {
    this.opts = { spillAt: 5_000, maxQueued: 200_000, maxBatchBytes: 900 * 1024, maxBatchMessages: 2_000, maxRetryDelayMs: 2_000, ...options };
    this.producer = options.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      // Fail fast, then spool: the journal retries for as long as it takes, kafkajs need not.
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
    });
    this.journal = new SpoolJournal(options.spoolDir, { maxBytes: options.spoolMaxBytes });
    // Events left by a previous run (crash, or shutdown while the broker was down) go first.
    if (!this.journal.isEmpty) this.scheduleReplay(0);
  }

  publish(topic: EventTopic, event: LinkEvent): void {
    if (this.localSubscribers.has(topic)) this.local.publish(topic, event);
    // A request for an unknown code (or one that failed) counts nobody: it feeds this process's
    // live stream and metrics, never the broker, so a flood of junk codes costs no Kafka traffic.
    if (event.type === "read" && event.status !== "OK") return;
    this.counters.published++;
    if (this.queue.length >= this.opts.maxQueued) {
      this.counters.dropped++;
      return;
    }
    this.queue.push([topic, event]);
    if (this.queue.length >= this.opts.batchSize) this.schedule(0);
    else if (this.timer === undefined) this.schedule(this.opts.lingerMs);
  }

  subscribe(topic: EventTopic, handler: EventHandler): () => void {
    this.localSubscribers.set(topic, (this.localSubscribers.get(topic) ?? 0) + 1);
    const off = this.local.subscribe(topic, handler);
    return () => {
      off();
      const n = (this.localSubscribers.get(topic) ?? 1) - 1;
      if (n <= 0) this.localSubscribers.delete(topic);
      else this.localSubscribers.set(topic, n);
    };
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) {
      // Already due (or due sooner): publish stays a push even while a backlog builds.
      if (delayMs > 0 || this.timerIsImmediate) return;
      clearTimeout(this.timer);
    }
    this.timerIsImmediate = delayMs === 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delayMs);
  }

  /** Moves the queue on: to the journal while it has a backlog, else to the broker. */
  private pump(): void {
    if (this.queue.length === 0) return;
    if (this.brokerDown || !this.journal.isEmpty) {
      this.spool(this.encode(this.takeQueue()));
      return;
    }
    // One send at a time keeps batches in publish order; the queue waits behind it, and moves to
    // the journal (behind the batch in flight, so still in order) when it grows past spillAt.
    if (this.sending) {
      if (this.queue.length >= this.opts.spillAt) this.spillBacklog();
      return;
    }
    const batch = this.takeBatch();
    this.sending = this.sendDirect(batch).finally(() => {
      this.sending = null;
      if (this.queue.length > 0) this.schedule(this.queue.length >= this.opts.batchSize ? 0 : this.opts.lingerMs);
    });
  }

  private spillBacklog(): void {
    const now = Date.now();
    if (now - this.lastSpillLog > 10_000) {
      this.lastSpillLog = now;
      log.warn("event producer behind the redirects, spooling the backlog to disk", { queued: this.queue.length, spool: this.journal.dir });
    }
    this.spool(this.encode(this.takeQueue()));
  }

  private takeQueue(): Queued[] {
    const all = this.queue;
    this.queue = [];
    return all;
  }

  private encode(queued: readonly Queued[]): Encoded[] {
    return encodeRecords(queued, this.lanes, this.opts.maxBatchBytes);
  }

  private get lanes(): number {
    return Math.max(1, this.opts.topics.partitions);
  }

  /**
   * The oldest queued events that fit one request, packed into records. They are serialised
   * here, once, and used as is for the broker or the journal.
   */
  private takeBatch(): Encoded[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.opts.maxBatchMessages) {
      bytes += recordBytesOf(this.queue[n]![1]);
      if (bytes > this.opts.maxBatchBytes && n > 0) break;
      n++;
    }
    return this.encode(this.queue.splice(0, n));
  }

  private async sendDirect(batch: Encoded[]): Promise<void> {
    try {
      await this.send(batch);
      this.counters.produced += countOf(batch);
    } catch (error) {
      this.markDown(error);
      // This batch is older than anything still queued, so it enters the journal first (unless a
      // backlog was spilled while it was in flight: then it follows that backlog, the one case
      // where a key's events reach the broker out of order; counts are unaffected).
      this.spool(batch);
      this.spool(this.encode(this.takeQueue()));
    }
  }

  private async send(batch: readonly Encoded[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, key, value } of batch) {
      const name = physicalTopic(this.opts.topics.prefix, topic);
      let messages = byTopic.get(name);
      if (!messages) {
        messages = [];
        byTopic.set(name, messages);
      }
      messages.push({ key, value });
    }
    await this.connect();
    try {
      await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1, timeout: 5_000 });
    } catch (error) {
      // A fresh connect (and topic check) next time: the broker may have come back as a new process.
      this.connecting = null;
      throw error;
    }
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      await this.producer.connect();
      await ensureTopics(this.opts.kafka, this.opts.topics);
    })().catch((error) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  private markDown(error: unknown): void {
    this.counters.sendErrors++;
    this.lastError = error instanceof Error ? error.message : String(error);
    if (!this.brokerDown) {
      this.brokerDown = true;
      log.warn("event broker unreachable, spooling events to disk", { spool: this.journal.dir, error: this.lastError });
    }
    this.scheduleReplay(this.retryDelayMs);
  }

  private spool(batch: readonly Encoded[]): void {
    if (batch.length === 0) return;
    // The journal takes a prefix of the lines: whole records, counted in events.
    const taken = countOf(batch.slice(0, this.journal.append(batch.map(encodeSpoolLine))));
    const refused = countOf(batch) - taken;
    this.counters.spooled += taken;
    this.counters.dropped += refused;
    if (refused > 0 && Date.now() - this.lastDropLog > 10_000) {
      this.lastDropLog = Date.now();
      log.error("event spool full, events dropped", { dropped: refused, spoolBytes: this.journal.sizeBytes });
    }
    this.scheduleReplay(this.brokerDown ? this.retryDelayMs : 0);
  }

  private scheduleReplay(delayMs: number): void {
    if (this.replayTimer !== undefined || this.closing) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      void this.replay();
    }, delayMs);
    this.replayTimer.unref?.();
  }

  /** Sends the journal's oldest lines; on success moves its cursor and goes on, on failure backs off. */
  private async replay(): Promise<void> {
    if (this.closing) return;
    if (this.replaying) {
      this.replayAgain = true;
      return;
    }
    this.replaying = true;
    try {
      await this.replayChunk();
    } finally {
      this.replaying = false;
      if (this.replayAgain) {
        this.replayAgain = false;
        if (!this.journal.isEmpty) this.scheduleReplay(this.brokerDown ? this.retryDelayMs : 0);
      }
    }
  }

  private async replayChunk(): Promise<void> {
    // A direct send may be finishing; its outcome (success, or one more batch spooled) comes first.
    while (this.sending) await this.sending.catch(() => {});
    if (this.journal.isEmpty) {
      this.brokerDown = false;
      return;
    }
    const chunk = this.journal.read(this.opts.maxBatchMessages, this.opts.maxBatchBytes);
    const batch: Encoded[] = [];
    for (const line of chunk.lines) {
      const encoded = decodeSpoolLine(line, this.lanes);
      if (encoded) batch.push(encoded);
      else this.counters.dropped++; // a damaged line cannot be delivered; skip it rather than stall
    }
    const attempt = (async () => {
      if (batch.length > 0) await this.send(batch);
    })();
    this.sending = attempt;
    try {
      await attempt;
      this.journal.commit(chunk.next);
      this.counters.replayed += countOf(batch);
      this.counters.produced += countOf(batch);
      this.retryDelayMs = 100;
      if (this.journal.isEmpty) {
        this.brokerDown = false;
        log.info("event broker reachable again, spool replayed", { replayed: this.counters.replayed });
        // Whatever was published meanwhile is newer than the journal: it may go directly now.
        if (this.queue.length > 0) this.schedule(0);
      } else {
        this.scheduleReplay(0);
      }
    } catch (error) {
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.opts.maxRetryDelayMs);
      this.markDown(error);
    } finally {
      if (this.sending === attempt) this.sending = null;
    }
  }

  /**
   * Hands everything published so far to the broker, or to the journal if the broker cannot take
   * it. Does not wait for the journal to drain (that may take an outage's length).
   */
  async flush(): Promise<void> {
    await this.local.flush();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Each round either sends one batch (awaited next round) or spools the whole queue.
    for (;;) {
      while (this.sending) await this.sending.catch(() => {});
      if (this.queue.length === 0) break;
      this.pump();
    }
    this.journal.sync();
  }

  stats(): KafkaBusStats {
    const local = this.local.stats();
    return { ...this.counters, delivered: this.counters.produced, handlerErrors: local.handlerErrors };
  }

  backlog(): KafkaBusBacklog {
    return { queued: this.queue.length, spoolBytes: this.journal.sizeBytes, spooling: this.brokerDown || !this.journal.isEmpty };
  }

  health(): DependencyHealth {
    const spoolBytes = this.journal.sizeBytes;
    return {
      name: "kafka",
      kind: "kafka",
      up: !this.brokerDown,
      latencyMs: 0,
      detail: this.brokerDown
        ? `unreachable (${this.lastError}); ${spoolBytes} bytes spooled`
        : spoolBytes > 0
          ? `replaying ${spoolBytes} spooled bytes`
          : "producing",
    };
  }

  /** Flushes within `timeoutMs`; whatever the broker does not take by then is left in the journal. */
  async close(timeoutMs = 5_000): Promise<void> {
    const deadline = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref?.());
    const flushed = await Promise.race([this.flush().then(() => "ok" as const), deadline]);
    this.closing = true;
    clearTimeout(this.replayTimer);
    if (flushed === "timeout" || this.queue.length > 0) {
      this.brokerDown = true; // a late-finishing send must not race the final spool
      this.spool(this.encode(this.takeQueue()));
    }
    this.journal.close();
    await this.local.close();
    await Promise.race([this.producer.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
  }
}
