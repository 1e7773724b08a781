/**
 * `ringlink links` on the cluster: the command composes the distributed store (PostgreSQL shard
 * pairs, Redis) as the server does, so what it creates, changes and deletes is what a running
 * instance serves (changes within a second, through Redis), and listing spans every shard. The
 * same commands with --url go through the instance's API.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { ADMIN_TOKEN, describeCluster, follow, migrateOnce, runRinglink as ringlink, startRinglink, waitFor, type ServerProcess } from "../support/cluster";

async function json(args: string[]): Promise<any> {
  const r = await ringlink([...args, "--json"]);
  if (r.code !== 0) throw new Error(`ringlink ${args.join(" ")} exited ${r.code}:\n${r.out}${r.err}`);
  return JSON.parse(r.out);
}

describeCluster("ringlink links on the cluster", () => {
  let server: ServerProcess;
  const run = randomBytes(4).toString("hex");
  const tag = `cli${run}`;

  beforeAll(async () => {
    await migrateOnce();
    server = await startRinglink({ UNSAFE_URL_THRESHOLD: "off", KAFKA_BROKERS: "" });
  }, 90_000);
  afterAll(() => server?.stop(), 30_000);

  test("create, list across shards, update seen by the server within a second, stats, delete", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const link = await json(["links", "create", `https://example.com/cli/${run}/${i}`, "--alias", `c${run}${i}`, "--tags", tag]);
      codes.push(link.code);
    }
    const config = (await import("../../src/config")).loadConfig(process.env);
    const { ShardRing } = await import("../../src/cluster");
    const ring = new ShardRing(config.shards.length);
    expect(new Set(codes.map((c) => ring.shardOf(c))).size).toBeGreaterThan(1); // the links live on several shards

    expect(await follow(server.base, codes[0]!)).toEqual({ status: 302, location: `https://example.com/cli/${run}/0` });
    const listed = await json(["links", "list", "--tag", tag, "--all"]);
    expect(listed.map((l: { code: string }) => l.code).sort()).toEqual([...codes].sort());

    await json(["links", "update", codes[0]!, "--target", `https://example.com/cli/${run}/moved`]);
    await waitFor("the server to follow the new target", async () => (await follow(server.base, codes[0]!)).location?.endsWith("/moved"), 1_000, 20);

    // The server writes its clicks about once a second: the stats catch up within a few.
    const stats = await waitFor(
      "the click in the link's stats",
      async () => {
        const s = await json(["links", "stats", codes[0]!, "--interval", "day"]);
        return s.totals.clicks >= 1 ? s : null;
      },
      10_000,
      250,
    );
    expect(stats).toMatchObject({ code: codes[0], interval: "day" });
    expect(stats.totals.clicks).toBeGreaterThanOrEqual(1);

    expect((await ringlink(["links", "delete", codes[1]!])).code).toBe(0);
    await waitFor("the deleted link to answer 410", async () => (await follow(server.base, codes[1]!)).status === 410, 1_000, 20);
    const gone = await ringlink(["links", "show", codes[1]!]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain("(HTTP 410)");
  }, 60_000);

  test("--url and --token go through the instance's API", async () => {
    const remote = ["--url", server.base, "--token", ADMIN_TOKEN];
    const created = await json(["links", "create", `https://example.com/cli/${run}/remote`, "--tags", tag, ...remote]);
    expect(created.shortUrl).toBe(`${server.base}/${created.code}`);
    const page = await json(["links", "list", "--tag", tag, "--limit", "100", ...remote]);
    expect(page.items.map((l: { code: string }) => l.code)).toContain(created.code);
    const refused = await ringlink(["links", "list", "--url", server.base]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/ringlink: \w+: .*\(HTTP 401\)/);
  }, 60_000);
});
