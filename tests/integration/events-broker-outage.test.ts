/**
 * The broker goes away during a run of redirects: every redirect must still answer 302 without
 * waiting, the events must land in the server's on-disk spool, and once the broker is back the
 * spool is replayed and the count is exact (no click lost, none counted twice).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { SpoolJournal } from "../../src/events/spool-journal";
import { CHROME, Pipeline, describeWithKafka, ensureKafkaUp, fireRedirects, runEnv, seriesSum, startKafka, stopKafka } from "../support/events";

describeWithKafka("click events while the broker is down", () => {
  const pipeline = new Pipeline(runEnv("outage"));

  beforeAll(async () => {
    await ensureKafkaUp();
    await pipeline.start();
  }, 90_000);

  afterAll(async () => {
    await ensureKafkaUp();
    await pipeline.stop();
  }, 90_000);

  test("redirects keep answering 302, events are spooled, then replayed: the final count is exact", async () => {
    const code = await pipeline.createLink("https://example.com/events-it/outage");
    const spoolDir = join(pipeline.dataDir, "spool", "node0-p0");
    const load = fireRedirects(pipeline.base, code, { total: Infinity, concurrency: 4, userAgent: () => CHROME, maxMs: 100_000 });

    await Bun.sleep(1_000);
    const beforeOutage = load.result.sent;
    await stopKafka();
    // The producer notices, spools, and the redirects go on regardless.
    const deadline = Date.now() + 20_000;
    while (!(SpoolJournal.hasData(spoolDir) && pipeline.server.output().includes("spooling events to disk"))) {
      if (Date.now() > deadline) throw new Error(`nothing was spooled:\n${pipeline.server.output()}`);
      await Bun.sleep(50);
    }
    const atSpool = load.result.sent;
    await Bun.sleep(2_000);
    const duringOutage = load.result.sent - atSpool;
    const readyz = (await (await fetch(`${pipeline.base}/readyz`)).json()) as { dependencies: Array<{ kind: string; up: boolean }> };
    expect(readyz.dependencies.find((d) => d.kind === "kafka")?.up).toBe(false);

    await startKafka();
    await Bun.sleep(1_000);
    const fired = await load.stop();

    // Every redirect answered 302, the outage included.
    expect(fired.statuses).toEqual({ 302: fired.sent });
    expect(beforeOutage).toBeGreaterThan(0);
    expect(duringOutage).toBeGreaterThan(100);

    const stats = await pipeline.settle(code, fired.sent, 90_000);
    expect(stats.totals).toMatchObject({ clicks: fired.sent, human: fired.sent, bot: 0 });
    expect(seriesSum(stats)).toEqual({ human: fired.sent, bot: 0 });
    expect(await pipeline.clicks(code)).toBe(fired.sent);
    expect(pipeline.server.output()).toContain("spool replayed");
    expect(SpoolJournal.hasData(spoolDir)).toBe(false);
    console.log(JSON.stringify({ redirects: fired.sent, beforeOutage, duringOutage, slowestRedirectMs: Math.round(fired.maxMs) }));
  }, 180_000);
});
