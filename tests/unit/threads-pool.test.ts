/** CPU-bound jobs on worker threads: the serving thread keeps turning, the queue is bounded, stuck threads are replaced. */
import { afterEach, describe, expect, test } from "bun:test";
import { ThreadPool } from "../../src/threads";
import type { BusyJob } from "../support/busy-thread";
import { longestStall } from "../support/event-loop";

const entry = new URL("../support/busy-thread.ts", import.meta.url).href;
let pools: ThreadPool<BusyJob, { spun: number }>[] = [];
const pool = (options: Partial<{ threads: number; maxWaiting: number; timeoutMs: number }> = {}) => {
  const p = new ThreadPool<BusyJob, { spun: number }>({ name: "busy work", entry, threads: 1, maxWaiting: 4, timeoutMs: 10_000, ...options });
  pools.push(p);
  return p;
};
afterEach(() => {
  for (const p of pools) p.close();
  pools = [];
});

describe("ThreadPool", () => {
  test("a job that holds its thread for 600 ms leaves the event loop free", async () => {
    const p = pool();
    await p.run({ spinMs: 1 }); // thread started before measuring
    const { result, stallMs } = await longestStall(() => p.run({ spinMs: 600 }));
    expect(result.spun).toBeGreaterThan(0);
    expect(stallMs).toBeLessThan(150);
  });

  test("past the threads and the waiting line, jobs are refused at once with 503 + Retry-After", async () => {
    const p = pool({ threads: 1, maxWaiting: 2 });
    const admitted = [p.run({ spinMs: 300 }), p.run({ spinMs: 10 }), p.run({ spinMs: 10 })];
    const refused = await p.run({ spinMs: 10 }).catch((e) => e);
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.message).toBe("busy work is at capacity, try again shortly");
    expect((await Promise.all(admitted)).length).toBe(3);
    expect(p.stats.refused).toBe(1);
  });

  test("a job past its deadline is 503 and its thread is replaced; the next job runs", async () => {
    const p = pool({ timeoutMs: 200 });
    const late = await p.run({ spinMs: 2_000 }).catch((e) => e);
    expect(late.status).toBe(503);
    expect((await p.run({ spinMs: 1 })).spun).toBeGreaterThan(0);
    expect(p.stats.threads).toBe(1);
  });

  test("a failing job fails alone; a crashed thread is replaced", async () => {
    const p = pool();
    expect((await p.run({ spinMs: 1, fail: true }).catch((e) => e)).message).toContain("job failed");
    expect((await p.run({ spinMs: 1 })).spun).toBeGreaterThan(0);
    await p.run({ spinMs: 1, crash: true });
    await Bun.sleep(50);
    expect((await p.run({ spinMs: 1 })).spun).toBeGreaterThan(0);
  });
});
