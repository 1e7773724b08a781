/** A bounded number of costly jobs at once, a bounded line behind them, refusals beyond. */
import { describe, expect, test } from "bun:test";
import { WorkGate } from "../../src/threads";

describe("WorkGate", () => {
  test("runs `permits` jobs at once and keeps the rest in line", async () => {
    const gate = new WorkGate({ name: "hashing", permits: 2, maxWaiting: 10 });
    let running = 0;
    let peak = 0;
    const job = async () => {
      peak = Math.max(peak, ++running);
      await Bun.sleep(20);
      running--;
    };
    await Promise.all(Array.from({ length: 8 }, () => gate.run(job)));
    expect(peak).toBe(2);
    expect(gate.stats).toEqual({ running: 0, waiting: 0, refused: 0 });
  });

  test("refuses beyond the line with 503 + Retry-After, then admits again once it drains", async () => {
    const gate = new WorkGate({ name: "password hashing", permits: 1, maxWaiting: 1, retryAfterSeconds: 2 });
    const slow = () => gate.run(() => Bun.sleep(30));
    const admitted = [slow(), slow()];
    const refused = await slow().catch((e) => e);
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("2");
    expect(refused.message).toBe("password hashing is at capacity, try again shortly");
    await Promise.all(admitted);
    await slow();
    expect(gate.stats.refused).toBe(1);
  });

  test("a failed job hands its permit on", async () => {
    const gate = new WorkGate({ name: "hashing", permits: 1, maxWaiting: 1 });
    const failing = gate.run(async () => Promise.reject(new Error("no")));
    const next = gate.run(async () => "ran");
    await expect(failing).rejects.toThrow("no");
    expect(await next).toBe("ran");
  });
});
