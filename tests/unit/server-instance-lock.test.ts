/** The per-port instance lock in DATA_DIR: who holds it, when it is stale, what a refusal says. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InstanceLock, InstanceLockError } from "../../src/server";
import { isServing, lockPath } from "../../src/server/instance-lock";

let dir: string;
const PORT = 40123;
/** Live processes whose command line reads like `... serve --port PORT` (a stand-in for ringlink). */
const fakes: Subprocess[] = [];
function spawnFake(seconds: number, port = PORT): Subprocess {
  const p = Bun.spawn(["sh", "-c", `sleep ${seconds}; :`, "serve", "--port", String(port)], { stdio: ["ignore", "ignore", "ignore"] });
  fakes.push(p);
  // Until exec, a fresh child still shows its parent's command line.
  for (let i = 0; i < 200 && !readFileSync(`/proc/${p.pid}/cmdline`, "utf8").includes("serve"); i++) Bun.sleepSync(5);
  return p;
}
const fakeServe = (port = PORT) => spawnFake(30, port).pid;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ringlink-lock-"));
});
afterAll(() => {
  for (const p of fakes) p.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const writeLock = (contents: unknown) => writeFileSync(lockPath(dir, PORT), typeof contents === "string" ? contents : JSON.stringify(contents));

async function refusal(options: { orphanGraceMs?: number } = {}): Promise<string> {
  try {
    (await InstanceLock.acquire({ dataDir: dir, port: PORT, orphanGraceMs: 0, ...options })).release();
  } catch (error) {
    expect(error).toBeInstanceOf(InstanceLockError);
    return (error as Error).message;
  }
  return "acquired";
}

describe("instance lock", () => {
  test("is written 0600 with our pid and the children, and removed on release", async () => {
    const lock = await InstanceLock.acquire({ dataDir: dir, port: PORT });
    lock.setChildren([11, 12]);
    const path = lockPath(dir, PORT);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ supervisor: process.pid, children: [11, 12], port: PORT });
    lock.release();
    expect(() => statSync(path)).toThrow();
  });

  test("a live supervisor refuses the start with one line naming it and its processes", async () => {
    const supervisor = fakeServe();
    const child = fakeServe();
    writeLock({ supervisor, children: [child], port: PORT, startedAt: "" });
    const message = await refusal();
    expect(message).toBe(
      `port ${PORT} with DATA_DIR ${dir} is already served by ringlink (pid ${supervisor} and its processes ${child}); stop it first or pick another port`,
    );
  });

  test("live children of a dead supervisor refuse the start after the grace period, naming them", async () => {
    const child = fakeServe();
    writeLock({ supervisor: 999_999_999, children: [999_999_998, child], port: PORT, startedAt: "" });
    const started = Date.now();
    const message = await refusal({ orphanGraceMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(message).toContain(`is still served by processes ${child} of a ringlink supervisor that is gone (pid 999999999); stop them first (kill ${child})`);
  });

  test("children that exit during the grace period let the start go ahead", async () => {
    const child = spawnFake(0.3);
    writeLock({ supervisor: 999_999_999, children: [child.pid], port: PORT, startedAt: "" });
    expect(await refusal({ orphanGraceMs: 5_000 })).toBe("acquired");
  });

  test("a lock whose pids are dead, reused by other programs, serving another port, or unreadable is taken over", async () => {
    writeLock({ supervisor: 999_999_999, children: [999_999_998], port: PORT, startedAt: "" });
    expect(await refusal()).toBe("acquired");
    // this test runner is alive but is not `serve`
    writeLock({ supervisor: process.pid === 1 ? 2 : 1, children: [process.pid], port: PORT, startedAt: "" });
    expect(await refusal()).toBe("acquired");
    writeLock({ supervisor: fakeServe(PORT + 1), children: [], port: PORT, startedAt: "" });
    expect(await refusal()).toBe("acquired");
    writeLock("{ torn");
    expect(await refusal()).toBe("acquired");
  });

  test("isServing: an exited (zombie or reaped) process is not serving", async () => {
    const p = Bun.spawn(["sh", "-c", "exit 0", "serve", "--port", String(PORT)]);
    await p.exited;
    expect(isServing(p.pid, PORT)).toBe(false);
    expect(isServing(fakeServe(), PORT)).toBe(true);
  });
});
