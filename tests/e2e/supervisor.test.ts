/**
 * `serve --processes 2` from the compiled binary under load: a child killed with SIGKILL is
 * restarted while the other keeps serving, and SIGTERM drains (in-flight requests finish, what was
 * acknowledged and counted is on disk) before the supervisor exits 0. A SIGKILLed supervisor takes
 * its children with it, and a second instance on the same port and DATA_DIR is refused while any
 * process of the first is alive.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMBEDDED_ENV, childPids, ensureBinary, startServer, type RunningServer } from "../support/processes";

const ADMIN = "supervisor-e2e-admin-token-0123456789";
let workDir: string;
let binary: string;

beforeAll(async () => {
  binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-supervisor-"));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const start = (dataDir: string, port?: number) =>
  startServer([binary, "serve", "--processes", "2"], { cwd: workDir, port, env: { ...EMBEDDED_ENV, ADMIN_TOKEN: ADMIN, DATA_DIR: join(workDir, dataDir) } });

/** Whether `pid` runs: a zombie (exited, not yet reaped by init) serves nothing and does not count. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

/** Both children are listening (a child stopped before it has started is killed, not drained). */
async function bothListening(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (childPids(server).size < 2) {
    if (Date.now() > deadline) throw new Error(`not every child is listening:\n${server.output()}`);
    await Bun.sleep(25);
  }
}

const startListening = async (dataDir: string, port?: number) => {
  const server = await start(dataDir, port);
  await bothListening(server);
  return server;
};

/** Polls until none of `pids` is alive; resolves with the milliseconds that took, or throws after `boundMs`. */
async function allGone(pids: number[], boundMs: number): Promise<number> {
  const started = Date.now();
  while (pids.some(alive)) {
    if (Date.now() - started > boundMs)
      throw new Error(`processes ${pids.filter(alive).join(", ")} still alive ${boundMs} ms after their supervisor was killed`);
    await Bun.sleep(25);
  }
  return Date.now() - started;
}

/** Runs a second `serve` on a port that is taken and returns how it ended (it must not start). */
function startBeside(dataDir: string, port: number) {
  const run = Bun.spawnSync([binary, "serve", "--processes", "2", "--port", String(port)], {
    cwd: workDir,
    env: { ...process.env, ...EMBEDDED_ENV, ACCESS_LOG: "off", ADMIN_TOKEN: ADMIN, DATA_DIR: join(workDir, dataDir) },
    timeout: 20_000,
  });
  return { code: run.exitCode, stderr: run.stderr.toString(), stdout: run.stdout.toString() };
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
      const spread = await Promise.all(
        Array.from({ length: 40 }, () => fetch(`${server.base}/${code}`, { redirect: "manual", headers: { connection: "close" } })),
      );
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
    console.error(
      `drain: ${answeredAt.filter((t) => t > signalled).length}/6 bulk requests answered after SIGTERM, last ${Math.max(...answeredAt) - signalled} ms after it`,
    );
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{
      created: number;
      failed: number;
      results: Array<{ link?: { code: string } }>;
    }>;
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

describe("one instance per port and DATA_DIR", () => {
  test("a SIGKILLed supervisor takes its children with it within 3 s; the port is free and a new instance starts", async () => {
    const server = await startListening("orphans");
    const children = [...childPids(server).values()];
    expect(children.length).toBe(2);
    process.kill(server.proc.pid, "SIGKILL");
    const tookMs = await allGone(children, 3_000);
    console.error(`supervisor SIGKILLed: both children gone after ${tookMs} ms`);
    await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();
    // The lock the dead supervisor left names only dead processes: the next start takes it over.
    const again = await startListening("orphans", server.port);
    try {
      expect((await fetch(`${again.base}/healthz`)).status).toBe(200);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 60_000);

  test("a second supervisor on the same port and DATA_DIR is refused with one line while the first serves", async () => {
    const first = await startListening("twice");
    try {
      const second = startBeside("twice", first.port);
      expect(second.code).toBe(1);
      const lines = second.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^ringlink: refusing to start: port ${first.port} with DATA_DIR .*twice is already served by ringlink \\(pid ${first.proc.pid} and its processes \\d+, \\d+\\)`,
        ),
      );
      expect(second.stdout).not.toContain('"msg":"listening"');
      // The first is untouched.
      expect((await fetch(`${first.base}/healthz`)).status).toBe(200);
      expect([...childPids(first).values()].every(alive)).toBe(true);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  }, 60_000);

  test("children of a dead supervisor that are still alive make a new start refuse (naming them) until they are gone", async () => {
    const server = await startListening("stuck");
    const [stuck, other] = [...childPids(server).values()] as [number, number];
    // A child that cannot run (stopped) cannot notice its supervisor's death: it keeps the port.
    process.kill(stuck, "SIGSTOP");
    try {
      process.kill(server.proc.pid, "SIGKILL");
      await allGone([other], 3_000);
      expect(alive(stuck)).toBe(true);
      const refused = startBeside("stuck", server.port);
      expect(refused.code).toBe(1);
      const lines = refused.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`is still served by processes ${stuck} of a ringlink supervisor that is gone (pid ${server.proc.pid})`);
    } finally {
      process.kill(stuck, "SIGCONT");
    }
    // Running again, it sees its supervisor is gone and drains.
    await allGone([stuck], 5_000);
    const again = await startListening("stuck", server.port);
    expect(await again.stop()).toBe(0);
  }, 60_000);
});
