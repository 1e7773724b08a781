/**
 * `serve --processes 2` from the compiled binary under load: a child killed with SIGKILL is
 * restarted while the other keeps serving, and SIGTERM drains (in-flight requests finish, what was
 * acknowledged and counted is on disk) before the supervisor exits 0.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMBEDDED_ENV, ensureBinary, startServer, type RunningServer } from "../support/processes";

const ADMIN = "supervisor-e2e-admin-token-0123456789";
let workDir: string;
let binary: string;

beforeAll(async () => {
  binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-supervisor-"));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const start = (dataDir: string) =>
  startServer([binary, "serve", "--processes", "2"], { cwd: workDir, env: { ...EMBEDDED_ENV, ADMIN_TOKEN: ADMIN, DATA_DIR: join(workDir, dataDir) } });

/** pid of each child by process index, from the "listening" lines in the output (latest wins) */
function childPids(server: RunningServer): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of server.output().split("\n")) {
    if (!line.includes('"msg":"listening"')) continue;
    try {
      const entry = JSON.parse(line) as { process: number; pid: number };
      pids.set(entry.process, entry.pid);
    } catch {
      // a line cut by the output's tail buffer
    }
  }
  return pids;
}

async function createLink(base: string, url: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/links`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { code: string }).code;
}

describe("serve --processes 2 under load", () => {
  test("a child killed with SIGKILL is restarted; only requests in flight on it fail, and the instance keeps serving", async () => {
    const server = await start("restart");
    try {
      const code = await createLink(server.base, "https://example.com/restart-under-load");
      const before = childPids(server);
      expect(before.size).toBe(2);

      const outcomes = { ok: 0, wrongStatus: 0, failed: 0, failedAfterRestart: 0 };
      let restartedAt = Infinity;
      let running = true;
      const client = async () => {
        while (running) {
          try {
            const res = await fetch(`${server.base}/${code}`, { redirect: "manual" });
            if (res.status === 302) outcomes.ok++;
            else outcomes.wrongStatus++;
          } catch {
            outcomes.failed++;
            if (Date.now() > restartedAt + 200) outcomes.failedAfterRestart++;
          }
        }
      };
      const clients = Array.from({ length: 16 }, client);
      await Bun.sleep(500);
      const victim = before.get(0)!;
      process.kill(victim, "SIGKILL");

      const deadline = Date.now() + 10_000;
      while (childPids(server).get(0) === victim && Date.now() < deadline) await Bun.sleep(20);
      const replacement = childPids(server).get(0);
      expect(replacement).toBeDefined();
      expect(replacement).not.toBe(victim);
      restartedAt = Date.now();
      await Bun.sleep(1_000);
      running = false;
      await Promise.all(clients);

      expect(outcomes.ok).toBeGreaterThan(500);
      expect(outcomes.wrongStatus).toBe(0);
      // At most the requests that were on the killed child's connections: one per client.
      expect(outcomes.failed).toBeLessThanOrEqual(16);
      expect(outcomes.failedAfterRestart).toBe(0);
      console.error(`restart under load: ${outcomes.ok} redirects answered, ${outcomes.failed} failed (in flight on the killed child)`);
      // Both processes answer again (new connections spread over the two listeners).
      const spread = await Promise.all(Array.from({ length: 40 }, () => fetch(`${server.base}/${code}`, { redirect: "manual", headers: { connection: "close" } })));
      expect(spread.map((r) => r.status)).toEqual(Array(40).fill(302));
      expect(server.output()).toContain('"msg":"child exited, restarting"');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);

  test("SIGTERM drains: requests in flight finish, every acknowledged link and counted click is on disk, exit 0", async () => {
    const server = await start("drain");
    const code = await createLink(server.base, "https://example.com/drain-clicks");
    // 100 clicks answered before the signal: the drain must flush them into the aggregates.
    for (let i = 0; i < 100; i++) expect((await fetch(`${server.base}/${code}`, { redirect: "manual" })).status).toBe(302);

    // Bulk creates take a while (each item is validated, classified and stored): they are still in
    // flight when SIGTERM arrives 150 ms later.
    const answeredAt: number[] = [];
    const batches = Array.from({ length: 6 }, (_, b) =>
      fetch(`${server.base}/api/v1/links/bulk`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ links: Array.from({ length: 400 }, (_, i) => ({ url: `https://example.com/drain/${b}/${i}` })) }),
      }).then((res) => {
        answeredAt.push(Date.now());
        return res;
      }),
    );
    await Bun.sleep(150);
    const signalled = Date.now();
    const exit = server.stop("SIGTERM");
    const responses = await Promise.all(batches);
    // The drain is what this measures: the requests were still being worked on when the signal came.
    expect(answeredAt.filter((t) => t > signalled).length).toBeGreaterThan(0);
    console.error(`drain: ${answeredAt.filter((t) => t > signalled).length}/6 bulk requests answered after SIGTERM, last ${Math.max(...answeredAt) - signalled} ms after it`);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ created: number; failed: number; results: Array<{ link?: { code: string } }> }>;
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(bodies.map((b) => [b.created, b.failed])).toEqual(Array(6).fill([400, 0]));
    const exitCode = await exit;
    if (exitCode !== 0) console.error(server.output());
    expect(exitCode).toBe(0);

    // After the drain nothing listens: a new request is refused at once, not left hanging.
    await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();

    const again = await start("drain");
    try {
      const codes = bodies.flatMap((b) => b.results.map((r) => r.link!.code));
      const found = await Promise.all(codes.map(async (c) => (await fetch(`${again.base}/${c}`, { redirect: "manual" })).status));
      expect(found.filter((s) => s === 302).length).toBe(2_400);
      const link = (await (await fetch(`${again.base}/api/v1/links/${code}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { clicks: number };
      expect(link.clicks).toBe(100);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 60_000);
});
