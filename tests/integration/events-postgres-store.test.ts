/**
 * The exactly-once rules of the PostgreSQL analytics store, deterministically, on the real shards:
 * what a worker crash can cause (a redelivered batch, a producer duplicate, two workers holding the
 * same partition during a rebalance) is replayed here on purpose, and the counts must not move.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { PostgresAnalyticsStore } from "../../src/analytics";
import { HOUR_MS } from "../../src/analytics/click-aggregation";
import type { ClickBatch } from "../../src/analytics/analytics-store";
import { ShardRing } from "../../src/cluster";
import type { LinkEvent } from "../../src/events";
import { clusterConfig, describeCluster, migrateOnce, openNodes } from "../support/cluster";
import { clickEvent } from "../support/events";

describeCluster("PostgreSQL analytics store: exactly once", () => {
  const run = randomBytes(4).toString("hex");
  const T = Date.UTC(2026, 5, 1, 12, 0, 0);
  let store: PostgresAnalyticsStore;
  let ring: ShardRing;
  let seq = 0;

  const click = (code: string, extra: Partial<LinkEvent> = {}): LinkEvent => {
    const event_id = `${run}-${seq++}`;
    return clickEvent({ event_id, short_code: code, ts: T, visitor: `v-${seq % 4}`, ...extra });
  };
  /** a fresh code per shard, so every batch touches all of them */
  const codes = (label: string) =>
    Array.from({ length: ring.size }, (_, shard) => {
      for (let i = 0; ; i++) {
        const code = `${label}${run}${shard}x${i}`;
        if (ring.shardOf(code) === shard) return code;
      }
    });
  /** The click total as the stats API reads it (from the replica): waits up to ~2 s for `expected`. */
  const total = async (code: string, expected: number) => {
    let n = -1;
    for (let i = 0; i < 40 && n !== expected; i++) {
      if (i > 0) await Bun.sleep(50);
      const data = await store.read({ code, from: T - HOUR_MS, to: T + HOUR_MS, stepMs: HOUR_MS, topLimit: 5 });
      n = data.series.reduce((sum, p) => sum + p.human + p.bot, 0);
    }
    // Once the replica shows the expected total, it must stay there: a double count would overshoot.
    await Bun.sleep(200);
    const again = await store.read({ code, from: T - HOUR_MS, to: T + HOUR_MS, stepMs: HOUR_MS, topLimit: 5 });
    const settled = again.series.reduce((sum, p) => sum + p.human + p.bot, 0);
    return settled === n ? n : settled;
  };
  const kafkaBatch = (events: LinkEvent[], firstOffset: number, partition = 0): ClickBatch => ({
    events,
    kafka: {
      source: { group: `it-${run}`, topic: "link.clicked", partition },
      offsets: events.map((_, i) => firstOffset + i),
      nextOffset: firstOffset + events.length,
    },
  });

  beforeAll(async () => {
    await migrateOnce();
    const config = clusterConfig();
    ring = new ShardRing(config.shards.length);
    store = new PostgresAnalyticsStore({
      nodesOf: (i) => config.shards[i]!,
      shardIndices: () => config.shards.map((_, i) => i),
      shardOf: (c) => ring.shardOf(c),
      connectTimeoutMs: 2_000,
      queryTimeoutMs: 5_000,
      poolMax: 4,
    });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  test("a batch delivered twice is counted once; a redelivery that overlaps is skipped by offset", async () => {
    const [a, b, c] = codes("redeliver");
    const events = Array.from({ length: 30 }, (_, i) => click([a, b, c][i % 3]!));
    expect(await store.apply(kafkaBatch(events.slice(0, 20), 0))).toEqual({ counted: 20, duplicates: 0, alreadyApplied: 0 });
    // The worker died before committing to Kafka: offsets 10..29 arrive again (10..19 already applied).
    expect(await store.apply(kafkaBatch(events.slice(10), 10))).toEqual({ counted: 10, duplicates: 0, alreadyApplied: 10 });
    // The same events under new offsets (a producer retry or a spool replay): dropped by event id.
    expect(await store.apply(kafkaBatch(events, 30))).toEqual({ counted: 0, duplicates: 30, alreadyApplied: 0 });
    for (const code of [a, b, c]) expect(await total(code!, 10)).toBe(10);
  }, 30_000);

  test("two workers applying the same partition batch at once (a rebalance) count it once", async () => {
    const [a, b] = codes("rebalance");
    const events = Array.from({ length: 200 }, (_, i) => click(i % 2 ? a! : b!));
    const results = await Promise.all([store.apply(kafkaBatch(events, 0, 1)), store.apply(kafkaBatch(events, 0, 1))]);
    expect(results.reduce((n, r) => n + r.counted, 0)).toBe(200);
    expect(await total(a!, 100)).toBe(100);
    expect(await total(b!, 100)).toBe(100);
  }, 30_000);

  test("each code's aggregates live on its own shard's primary and reach its replica", async () => {
    const mine = codes("home");
    await store.apply({ events: mine.map((code) => click(code)) });
    const nodes = openNodes();
    try {
      for (const code of mine) {
        const home = ring.shardOf(code);
        for (const [shard, node] of nodes.shards.entries()) {
          const rows = await node.primary`SELECT human FROM click_minutes WHERE code = ${code}`;
          expect(rows.length).toBe(shard === home ? 1 : 0);
        }
        const replica = nodes.shards[home]!.replica;
        const deadline = Date.now() + 5_000;
        while ((await replica`SELECT 1 FROM click_minutes WHERE code = ${code}`).length === 0) {
          if (Date.now() > deadline) throw new Error(`${code} never reached shard ${home}'s replica`);
          await Bun.sleep(50);
        }
      }
    } finally {
      await nodes.close();
    }
  }, 30_000);

  test("reads give the series, unique human visitors per day and the top lists", async () => {
    const [code] = codes("read");
    await store.apply({
      events: [
        click(code!, { visitor: "x" }),
        click(code!, { visitor: "x" }),
        click(code!, { visitor: "y", ts: T + HOUR_MS }),
        click(code!, { user_agent: "Googlebot" }),
      ],
    });
    // Stats are read from the shard's replica, which may be a few milliseconds behind the write.
    const query = { code: code!, from: T, to: T + 2 * HOUR_MS, stepMs: HOUR_MS, topLimit: 5 };
    let data = await store.read(query);
    for (let i = 0; i < 50 && data.series.length < 2; i++) {
      await Bun.sleep(50);
      data = await store.read(query);
    }
    expect(data.series).toEqual([
      { t: T, human: 2, bot: 1 },
      { t: T + HOUR_MS, human: 1, bot: 0 },
    ]);
    expect(data.unique).toBe(2);
    expect(data.top.country).toEqual([{ value: "NL", clicks: 3 }]);
  }, 30_000);
});
