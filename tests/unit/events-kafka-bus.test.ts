/**
 * The Kafka EventBus against a stand-in broker: batching, spooling while the broker is away, replay
 * in order when it returns, the bound, and replay after a restart. (The real broker is exercised by
 * tests/integration/events-*.test.ts.)
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { KafkaEventBus, decodeRecord, type LinkEvent } from "../../src/events";
import { SpoolJournal } from "../../src/events/spool-journal";
import { decodeSpoolLine, encodeRecords } from "../../src/events/kafka/kafka-event-bus";

/** one event as the broker got it: in which record (topic, key) */
interface Sent {
  topic: string;
  key: string;
  code: string;
  n: number;
}

/** Enough of kafkajs for the bus: a producer whose sends fail while `up` is false, and an admin. */
class StandInBroker {
  up = true;
  /** how long one send takes */
  sendMs = 1;
  sent: Sent[] = [];
  sendCalls = 0;
  records = 0;
  topics = new Set<string>();
  producer() {
    const fail = () => {
      throw new Error("Connection error: connect ECONNREFUSED");
    };
    return {
      connect: async () => (this.up ? undefined : fail()),
      disconnect: async () => {},
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Array<{ key: string; value: string }> }> }) => {
        this.sendCalls++;
        await Bun.sleep(this.sendMs);
        if (!this.up) fail();
        for (const { topic, messages } of topicMessages) {
          for (const m of messages) {
            this.records++;
            for (const e of decodeRecord(m.value).events) this.sent.push({ topic, key: m.key, code: e.short_code, n: e.latency_ms });
          }
        }
      },
    };
  }
  admin() {
    return {
      connect: async () => (this.up ? undefined : Promise.reject(new Error("ECONNREFUSED"))),
      disconnect: async () => {},
      listTopics: async () => [...this.topics],
      createTopics: async ({ topics }: { topics: Array<{ topic: string }> }) => {
        for (const t of topics) this.topics.add(t.topic);
        return true;
      },
    };
  }
  asKafka(): Kafka {
    return this as unknown as Kafka;
  }
}

const dirs: string[] = [];
const buses: KafkaEventBus[] = [];
afterEach(async () => {
  for (const b of buses.splice(0)) await b.close(200).catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One partition unless asked: Kafka orders per partition, so the order checks need one lane. */
function makeBus(
  broker: StandInBroker,
  opts: { dir?: string; lingerMs?: number; batchSize?: number; spoolMaxBytes?: number; spillAt?: number; partitions?: number } = {},
) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "ringlink-bus-"));
  if (!opts.dir) dirs.push(dir);
  const bus = new KafkaEventBus({
    kafka: broker.asKafka(),
    topics: { prefix: "t.", partitions: opts.partitions ?? 1, replicationFactor: 1 },
    lingerMs: opts.lingerMs ?? 2,
    batchSize: opts.batchSize ?? 100,
    spoolDir: dir,
    spoolMaxBytes: opts.spoolMaxBytes ?? 1 << 20,
    maxRetryDelayMs: 20,
    spillAt: opts.spillAt,
  });
  buses.push(bus);
  return { bus, dir };
}

/** `latency_ms` carries a sequence number so the order on the broker can be checked. */
function event(n: number, code = `c${n % 7}`): LinkEvent {
  return { event_id: `e${n}`, type: "read", status: "OK", node: "t", redis: null, db: null, short_code: code, latency_ms: n, ts: Date.now(), user_agent: "ua" };
}

async function until(what: string, check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

describe("Kafka event bus", () => {
  test("publish is a push; events leave in batches packed one record per lane, a code always in the same lane", async () => {
    const broker = new StandInBroker();
    const { bus } = makeBus(broker, { lingerMs: 20, partitions: 3 });
    for (let i = 0; i < 50; i++) bus.publish("link.clicked", event(i));
    expect(broker.sendCalls).toBe(0);
    await bus.flush();
    expect(broker.sendCalls).toBe(1);
    expect(broker.records).toBeLessThanOrEqual(3);
    expect(broker.sent.map((s) => s.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const key of new Set(broker.sent.map((s) => s.key))) {
      const lane = broker.sent.filter((s) => s.key === key).map((s) => s.n);
      expect(lane).toEqual([...lane].sort((a, b) => a - b)); // publish order within a lane
    }
    const laneOf = new Map<string, string>();
    for (const s of broker.sent) {
      expect(laneOf.get(s.code) ?? s.key).toBe(s.key);
      laneOf.set(s.code, s.key);
    }
    expect(new Set(broker.sent.map((s) => s.topic))).toEqual(new Set(["t.link.clicked"]));
    expect(broker.topics).toEqual(new Set(["t.link.created", "t.link.updated", "t.link.disabled", "t.link.deleted", "t.link.clicked"]));
    expect(bus.stats()).toMatchObject({ published: 50, produced: 50, delivered: 50, spooled: 0, dropped: 0 });
  });

  test("a miss (an unknown code, a failed lookup) reaches this process's subscribers but never the broker", async () => {
    const broker = new StandInBroker();
    const { bus } = makeBus(broker);
    const local: string[] = [];
    bus.subscribe("link.clicked", (events) => {
      for (const e of events) local.push(e.status);
    });
    bus.publish("link.clicked", event(1));
    bus.publish("link.clicked", { ...event(2), status: "NOT_FOUND" });
    bus.publish("link.clicked", { ...event(3), status: "ERROR" });
    await bus.flush();
    await until("the local delivery", () => local.length === 3);
    expect(local).toEqual(["OK", "NOT_FOUND", "ERROR"]);
    expect(broker.sent.map((s) => s.n)).toEqual([1]);
    expect(bus.stats()).toMatchObject({ published: 1, produced: 1 });
  });

  test("a full batch goes at once, without waiting for the linger time", async () => {
    const broker = new StandInBroker();
    const { bus } = makeBus(broker, { lingerMs: 60_000, batchSize: 10 });
    for (let i = 0; i < 10; i++) bus.publish("link.clicked", event(i));
    await until("the batch to be sent", () => broker.sent.length === 10, 1_000);
  });

  test("while the broker is down events are spooled to disk, then replayed in publish order", async () => {
    const broker = new StandInBroker();
    const { bus, dir } = makeBus(broker);
    broker.up = false;
    for (let i = 0; i < 100; i++) bus.publish("link.clicked", event(i));
    await bus.flush();
    await until("the first batch to be spooled", () => bus.stats().spooled === 100);
    for (let i = 100; i < 150; i++) bus.publish("link.clicked", event(i));
    await bus.flush();
    expect(bus.stats()).toMatchObject({ published: 150, spooled: 150, produced: 0, dropped: 0 });
    expect(SpoolJournal.hasData(dir)).toBe(true);
    expect(bus.health().up).toBe(false);

    broker.up = true;
    await until("the journal to be replayed", () => bus.stats().replayed === 150);
    expect(broker.sent.map((s) => s.n)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(SpoolJournal.hasData(dir)).toBe(false);
    expect(bus.backlog()).toEqual({ queued: 0, spoolBytes: 0, spooling: false });

    // Back to direct sends once the journal is empty.
    for (let i = 150; i < 160; i++) bus.publish("link.clicked", event(i));
    await bus.flush();
    expect(broker.sent.map((s) => s.n)).toEqual(Array.from({ length: 160 }, (_, i) => i));
    expect(bus.stats()).toMatchObject({ published: 160, produced: 160, spooled: 150, replayed: 150, dropped: 0 });
  });

  test("events published while the journal is being replayed keep their order, and none is sent twice", async () => {
    const broker = new StandInBroker();
    broker.sendMs = 4;
    const { bus } = makeBus(broker, { batchSize: 7 });
    broker.up = false;
    let n = 0;
    const publisher = setInterval(() => {
      for (let i = 0; i < 5 && n < 600; i++) bus.publish("link.clicked", event(n++));
    }, 1);
    await Bun.sleep(60);
    broker.up = true; // comes back while events keep arriving and the replay loop runs
    await until("all events to be published", () => n === 600);
    clearInterval(publisher);
    await until("everything to reach the broker", () => bus.stats().produced === 600, 5_000);
    await bus.flush();
    expect(broker.sent.map((s) => s.n)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    const s = bus.stats();
    expect(s.spooled).toBeGreaterThan(0);
    expect(s).toMatchObject({ published: 600, produced: 600, replayed: s.spooled, dropped: 0 });
  });

  test("a broker slower than the redirects: the backlog moves to disk instead of memory, nothing is lost or reordered", async () => {
    const broker = new StandInBroker();
    broker.sendMs = 25;
    const { bus } = makeBus(broker, { batchSize: 100, spillAt: 1_000, spoolMaxBytes: 64 << 20 });
    for (let i = 0; i < 20_000; i++) {
      bus.publish("link.clicked", event(i));
      if (i % 500 === 499) await Bun.sleep(1);
    }
    await until("everything to reach the broker", () => bus.stats().produced === 20_000, 20_000);
    const s = bus.stats();
    expect(s.spooled).toBeGreaterThan(0);
    expect(s).toMatchObject({ published: 20_000, produced: 20_000, replayed: s.spooled, dropped: 0, sendErrors: 0 });
    expect(broker.sent.map((e) => e.n)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  }, 30_000);

  test("write events of different topics never share a record, and their journal lines replay under their own topic", () => {
    const write = (topic: string, n: number): LinkEvent => ({ ...event(n, "same"), type: "write", url: `https://example.com/${topic}` });
    const records = encodeRecords(
      [
        ["link.created", write("created", 1)],
        ["link.updated", write("updated", 2)],
        ["link.disabled", write("disabled", 3)],
        ["link.deleted", write("deleted", 4)],
        ["link.updated", write("updated", 5)],
      ],
      3,
      1 << 20,
    );
    expect(records.map((r) => [r.topic, r.count])).toEqual([
      ["link.created", 1],
      ["link.updated", 2],
      ["link.disabled", 1],
      ["link.deleted", 1],
    ]);
    for (const r of records) {
      const line = `{"topic":"${r.topic}","key":"${r.key}","count":${r.count},"record":${r.value}}`;
      expect(decodeSpoolLine(line, 3)).toEqual(r);
    }
  });

  test("journal lines decode back to the exact record, and lines of one event (older versions) still replay", () => {
    const tricky = { ...event(7, "Ab_9-x"), referrer: 'https://x.example/?q="short_code":"evil"', user_agent: "a}}b\n" };
    const [record] = encodeRecords([["link.clicked", tricky]], 3, 1 << 20);
    const line = `{"topic":"link.clicked","key":"${record!.key}","count":1,"record":${record!.value}}`;
    expect(JSON.parse(line).record).toEqual(JSON.parse(record!.value));
    expect(decodeSpoolLine(line, 3)).toEqual(record!);
    expect(decodeRecord(decodeSpoolLine(line, 3)!.value).events).toEqual([
      { ...tricky, cache: undefined, source: undefined, referrer: tricky.referrer, country: null, visitor: null, url: undefined },
    ]);

    const value = JSON.stringify(tricky);
    const legacy = `{"topic":"link.clicked","event":${value}}`;
    expect(decodeSpoolLine(legacy, 3)).toEqual({ topic: "link.clicked", key: record!.key, count: 1, value });
    expect(decodeSpoolLine('{"topic":"link.clicked","event":{"short_code"')).toBeNull();
    expect(decodeSpoolLine("not json")).toBeNull();
  });

  test("the spool is bounded: what does not fit is dropped and counted", async () => {
    const broker = new StandInBroker();
    broker.up = false;
    const { bus } = makeBus(broker, { spoolMaxBytes: 4096 });
    // The journal keeps or refuses whole records: publish in small batches, as a linger interval would.
    for (let i = 0; i < 100; i++) {
      bus.publish("link.clicked", event(i));
      if (i % 10 === 9) await bus.flush();
    }
    await until("the batch to be spooled or dropped", () => bus.stats().spooled + bus.stats().dropped === 100);
    const s = bus.stats();
    expect(s.spooled).toBeGreaterThan(0);
    expect(s.dropped).toBeGreaterThan(0);
    // What was kept is the oldest part, so replay still delivers a gap-free prefix.
    broker.up = true;
    await until("the kept events to be replayed", () => bus.stats().replayed === s.spooled);
    expect(broker.sent.map((e) => e.n)).toEqual(Array.from({ length: s.spooled }, (_, i) => i));
  });

  test("closing while the broker is down keeps the events on disk; the next process replays them", async () => {
    const broker = new StandInBroker();
    broker.up = false;
    const dir = mkdtempSync(join(tmpdir(), "ringlink-bus-"));
    dirs.push(dir);
    const first = makeBus(broker, { dir }).bus;
    for (let i = 0; i < 20; i++) first.publish("link.clicked", event(i));
    await first.close(500);
    buses.splice(buses.indexOf(first), 1);
    expect(first.stats()).toMatchObject({ published: 20, spooled: 20, dropped: 0 });

    broker.up = true;
    const second = makeBus(broker, { dir }).bus;
    await until("the leftovers to be replayed", () => second.stats().replayed === 20);
    expect(broker.sent.map((e) => e.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test("local subscribers see this process's events too", async () => {
    const broker = new StandInBroker();
    const { bus } = makeBus(broker);
    const seen: number[] = [];
    const off = bus.subscribe("link.clicked", (events) => void seen.push(...events.map((e) => e.latency_ms)));
    bus.publish("link.clicked", event(1));
    bus.publish("link.created", event(2));
    await bus.flush();
    expect(seen).toEqual([1]);
    off();
  });
});
