/**
 * Clicks through the real pipeline: ringlink (distributed mode) publishes to Kafka, the analytics
 * worker (a separate process) consumes into the link's PostgreSQL shard, the stats API reads it.
 * Each redirect must be counted exactly once, including when the worker is killed with SIGKILL in
 * the middle of the stream and restarted.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { CHROME, IPHONE, Pipeline, describeWithKafka, fireRedirects, runEnv, seriesSum } from "../support/events";

describeWithKafka("click events: redirect -> Kafka -> analytics worker -> PostgreSQL", () => {
  const pipeline = new Pipeline(runEnv("analytics"));

  beforeAll(async () => {
    await pipeline.start();
  }, 90_000);

  afterAll(async () => {
    await pipeline.stop();
  }, 30_000);

  test("10,000 redirects are exactly 10,000 human clicks once the worker catches up", async () => {
    const code = await pipeline.createLink("https://example.com/events-it/ten-thousand");
    const fired = await fireRedirects(pipeline.base, code, { total: 10_000, concurrency: 64, userAgent: (i) => (i % 2 ? CHROME : IPHONE) }).done;
    expect(fired.statuses).toEqual({ 302: 10_000 });

    const stats = await pipeline.settle(code, 10_000);
    expect(stats.totals).toMatchObject({ clicks: 10_000, human: 10_000, bot: 0 });
    expect(seriesSum(stats)).toEqual({ human: 10_000, bot: 0 });
    expect(await pipeline.clicks(code)).toBe(10_000);
    expect(stats.top.browsers).toEqual([
      { value: "Chrome", clicks: 5_000 },
      { value: "Safari", clicks: 5_000 },
    ]);
    // Every redirect came from this test process: one address and two user agents, two visitors today.
    expect(stats.totals.unique).toBe(2);
  }, 120_000);

  test("bot user agents are counted as bots, not people; the series sums to the totals", async () => {
    const code = await pipeline.createLink("https://example.com/events-it/bots");
    const bots = [
      "Googlebot/2.1 (+http://www.google.com/bot.html)",
      "facebookexternalhit/1.1",
      "curl/8.5.0",
      "python-requests/2.31",
      "Slackbot-LinkExpanding 1.0",
      null,
    ];
    const people = 300;
    const robots = 240;
    const fired = await fireRedirects(pipeline.base, code, {
      total: people + robots,
      concurrency: 16,
      userAgent: (i) => (i < people ? CHROME : bots[i % bots.length]!),
    }).done;
    expect(fired.statuses).toEqual({ 302: people + robots });

    const stats = await pipeline.settle(code, people + robots);
    expect(stats.totals).toMatchObject({ clicks: people + robots, human: people, bot: robots });
    expect(seriesSum(stats)).toEqual({ human: people, bot: robots });
    // The same totals through the hour and day series.
    for (const interval of ["hour", "day"]) {
      const coarse = await pipeline.stats(code, `?interval=${interval}`);
      expect(seriesSum(coarse)).toEqual({ human: people, bot: robots });
    }
    expect(stats.top.browsers).toEqual([{ value: "Chrome", clicks: people }]);
    expect(stats.top.devices).toEqual([{ value: "desktop", clicks: people }]);
  }, 60_000);

  test("the worker killed with SIGKILL mid-stream and restarted still counts exactly 10,000", async () => {
    const code = await pipeline.createLink("https://example.com/events-it/sigkill");
    const total = 10_000;
    // Paced (8 loops) so the stream is still flowing when the first kill lands.
    const load = fireRedirects(pipeline.base, code, { total, concurrency: 8, userAgent: () => CHROME, maxMs: 90_000 });

    const humanNow = async () => (await pipeline.stats(code)).totals.human;
    const waitForHuman = async (atLeast: number) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const n = await humanNow();
        if (n >= atLeast) return n;
        if (Date.now() > deadline) throw new Error(`human clicks stuck at ${n}, waiting for ${atLeast}`);
        await Bun.sleep(20);
      }
    };

    const firstKillAt = await waitForHuman(1_500);
    pipeline.worker.proc.kill("SIGKILL");
    await pipeline.worker.proc.exited;
    await pipeline.startWorker();
    // The second kill lands while the restarted worker works through the backlog.
    const secondKillAt = await waitForHuman(firstKillAt + 1);
    pipeline.worker.proc.kill("SIGKILL");
    await pipeline.worker.proc.exited;
    await pipeline.startWorker();

    const fired = await load.done;
    expect(fired.statuses).toEqual({ 302: total });
    const stats = await pipeline.settle(code, total);
    expect(stats.totals).toMatchObject({ clicks: total, human: total, bot: 0 });
    expect(seriesSum(stats)).toEqual({ human: total, bot: 0 });
    expect(await pipeline.clicks(code)).toBe(total);
    console.log(JSON.stringify({ killedAt: [firstKillAt, secondKillAt], lastWorker: await pipeline.worker.health() }));
  }, 150_000);
});
