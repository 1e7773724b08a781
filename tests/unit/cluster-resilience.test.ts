import { describe, expect, test } from "bun:test";
import { CircuitOpenError, Deadline, GuardedNode, RecentChanges, withRetries, withTimeout } from "../../src/cluster";
import { CallTimeoutError } from "../../src/cluster/errors";
import { CircuitBreaker, type BreakerChange } from "../../src/cluster/circuit-breaker";
import { backoffDelay } from "../../src/cluster/retry";
import { createLogger } from "../../src/log/logger";

const quiet = createLogger({ format: "json", out: () => {}, err: () => {}, now: () => new Date() });

class NodeDown extends Error {}
class BadStatement extends Error {}

function node(ping: () => Promise<unknown> = async () => "PONG", threshold = 3): GuardedNode {
  return new GuardedNode({
    name: "shard-0/test",
    kind: "redis",
    shard: 0,
    address: "127.0.0.1:1",
    failureThreshold: threshold,
    probeTimeoutMs: 50,
    isNodeFailure: (e) => e instanceof NodeDown,
    ping,
    log: quiet,
  });
}

const fail = (error: Error) => () => Promise.reject(error);

describe("circuit breaker", () => {
  test("opens after the threshold of consecutive failures, not before", () => {
    const changes: BreakerChange[] = [];
    const b = new CircuitBreaker(3, (c) => changes.push(c));
    b.onFailure("x");
    b.onFailure("x");
    expect(b.state).toBe("closed");
    b.onFailure("x");
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
    expect(changes.map((c) => c.to)).toEqual(["open"]);
  });

  test("a success in between resets the count", () => {
    const b = new CircuitBreaker(2);
    b.onFailure("x");
    b.onSuccess();
    b.onFailure("x");
    expect(b.state).toBe("closed");
  });

  test("a good probe half-opens it: calls pass again, and the first success closes it", () => {
    const b = new CircuitBreaker(1);
    b.onFailure("x");
    b.probeSucceeded();
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(true);
    b.onSuccess();
    expect(b.state).toBe("closed");
  });

  test("one failure while half-open reopens it, whatever the threshold", () => {
    const b = new CircuitBreaker(5);
    b.probeFailed("down");
    b.probeSucceeded();
    b.onFailure("still down");
    expect(b.state).toBe("open");
  });

  test("two good probes close it without traffic; a failed probe opens it at once", () => {
    const b = new CircuitBreaker(5);
    b.probeFailed("refused");
    expect(b.state).toBe("open");
    b.probeSucceeded();
    b.probeSucceeded();
    expect(b.state).toBe("closed");
    expect(b.failures).toBe(0);
  });
});

describe("retries and time budgets", () => {
  const policy = { retries: 2, baseDelayMs: 1, maxDelayMs: 4 };

  test("retries a retryable failure up to the bound, then gives the last error", async () => {
    let calls = 0;
    const run = withRetries(
      () => {
        calls++;
        return Promise.reject(new NodeDown(`try ${calls}`));
      },
      policy,
      Deadline.after(1000),
      () => true,
    );
    await expect(run).rejects.toThrow("try 3");
    expect(calls).toBe(3);
  });

  test("stops at once on an error that is not retryable", async () => {
    let calls = 0;
    await expect(
      withRetries(
        () => {
          calls++;
          return Promise.reject(new BadStatement());
        },
        policy,
        Deadline.after(1000),
        (e) => e instanceof NodeDown,
      ),
    ).rejects.toBeInstanceOf(BadStatement);
    expect(calls).toBe(1);
  });

  test("returns the first success", async () => {
    let calls = 0;
    const value = await withRetries(
      () => (++calls < 2 ? Promise.reject(new NodeDown()) : Promise.resolve("ok")),
      policy,
      Deadline.after(1000),
      () => true,
    );
    expect(value).toBe("ok");
    expect(calls).toBe(2);
  });

  test("does not sleep past the deadline", async () => {
    let calls = 0;
    const slow = { retries: 5, baseDelayMs: 1000, maxDelayMs: 1000 };
    const started = performance.now();
    await expect(
      withRetries(
        () => {
          calls++;
          return Promise.reject(new NodeDown());
        },
        slow,
        Deadline.after(20),
        () => true,
        () => 0.9,
      ),
    ).rejects.toBeInstanceOf(NodeDown);
    expect(calls).toBe(1);
    expect(performance.now() - started).toBeLessThan(100);
  });

  test("backoff is full jitter under an exponential cap", () => {
    const p = { retries: 10, baseDelayMs: 20, maxDelayMs: 250 };
    expect(backoffDelay(0, p, () => 1)).toBe(20);
    expect(backoffDelay(3, p, () => 1)).toBe(160);
    expect(backoffDelay(8, p, () => 1)).toBe(250);
    expect(backoffDelay(3, p, () => 0)).toBe(0);
  });

  test("a call that outlives its timeout is answered with CallTimeoutError on time", async () => {
    const started = performance.now();
    await expect(withTimeout(Bun.sleep(500), 20, "n")).rejects.toBeInstanceOf(CallTimeoutError);
    expect(performance.now() - started).toBeLessThan(200);
  });

  test("a deadline clips each call's timeout to what is left", () => {
    let now = 0;
    const d = Deadline.after(100, () => now);
    expect(d.clip(1000)).toBe(100);
    now = 90;
    expect(d.clip(1000)).toBe(10);
    now = 200;
    expect(d.remaining()).toBe(0);
  });
});

describe("guarded node", () => {
  test("fails fast with CircuitOpenError once node failures open the breaker", async () => {
    const n = node(undefined, 2);
    let reached = 0;
    const op = () => {
      reached++;
      return Promise.reject(new NodeDown());
    };
    await expect(n.run(op)).rejects.toBeInstanceOf(NodeDown);
    await expect(n.run(op)).rejects.toBeInstanceOf(NodeDown);
    await expect(n.run(op)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(reached).toBe(2);
    expect(n.state()).toMatchObject({ state: "open", failures: 2, kind: "redis", shard: 0 });
  });

  test("errors the node answered with do not count against it", async () => {
    const n = node(undefined, 1);
    await expect(n.run(fail(new BadStatement()))).rejects.toBeInstanceOf(BadStatement);
    await expect(n.run(fail(new BadStatement()))).rejects.toBeInstanceOf(BadStatement);
    expect(n.state().state).toBe("closed");
  });

  test("a timed-out call counts as a node failure", async () => {
    const n = node(undefined, 1);
    await expect(n.run(() => Bun.sleep(200), 10)).rejects.toBeInstanceOf(CallTimeoutError);
    expect(n.state().state).toBe("open");
  });

  test("the probe reports down, opens the breaker, and closes it again when the node answers", async () => {
    let alive = false;
    const n = node(async () => {
      if (!alive) throw new NodeDown("refused");
      return "PONG";
    });
    const down = await n.probe();
    expect(down).toMatchObject({ up: false, breaker: "open", kind: "redis", shard: 0 });
    expect(down.detail).toContain("refused");
    alive = true;
    expect((await n.probe()).breaker).toBe("half-open");
    expect((await n.probe()).breaker).toBe("closed");
    expect(await n.run(async () => 42)).toBe(42);
  });

  test("a probe that hangs is a failed probe", async () => {
    const n = node(() => Bun.sleep(1000));
    expect((await n.probe()).up).toBe(false);
  });
});

describe("recent changes", () => {
  test("remembers a code for the window, then forgets it", () => {
    let now = 0;
    const r = new RecentChanges(1000, 10, () => now);
    r.note("abc");
    expect(r.has("abc")).toBe(true);
    expect(r.has("other")).toBe(false);
    now = 1001;
    expect(r.has("abc")).toBe(false);
  });

  test("stays bounded by dropping the oldest notes", () => {
    const r = new RecentChanges(60_000, 3);
    for (const c of ["a", "b", "c", "d"]) r.note(c);
    expect(r.has("a")).toBe(false);
    expect(["b", "c", "d"].every((c) => r.has(c))).toBe(true);
  });
});
