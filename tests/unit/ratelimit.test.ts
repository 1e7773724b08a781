import { describe, expect, test } from "bun:test";
import { MemoryRateLimiter, clientAddress, parseCidr, parsePolicy } from "../../src/ratelimit";
import { takeToken } from "../../src/ratelimit/policy";
import { startTestApp } from "../support/embedded-app";

describe("token bucket", () => {
  const policy = parsePolicy("create", "3/s")!;

  test("lets a burst of `limit` through, then refuses with the time until the next token", () => {
    let state: Parameters<typeof takeToken>[0];
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const step = takeToken(state, policy, 1000);
      state = step.state;
      decisions.push(step.decision);
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]!.retryAfterMs).toBe(334);
  });

  test("refills evenly over the window", () => {
    const limiter = new MemoryRateLimiter(
      100,
      (() => {
        let t = 0;
        return () => (t += 200); // each call 200 ms later
      })(),
    );
    const allowed = Array.from({ length: 20 }, () => limiter.take("a", policy).allowed).filter(Boolean).length;
    // 3 at once, then one token per 333 ms over ~4 s of simulated time
    expect(allowed).toBeGreaterThanOrEqual(13);
    expect(allowed).toBeLessThanOrEqual(15);
  });

  test("a request can cost several tokens at once; more than the bucket holds takes the whole bucket", () => {
    const ten = parsePolicy("password-hash", "10/s")!;
    const first = takeToken(undefined, ten, 1000, 4);
    expect(first.decision).toMatchObject({ allowed: true, remaining: 6 });
    const second = takeToken(first.state, ten, 1000, 7);
    expect(second.decision).toMatchObject({ allowed: false, remaining: 6, retryAfterMs: 100 });
    const whole = takeToken(undefined, ten, 1000, 25);
    expect(whole.decision).toMatchObject({ allowed: true, remaining: 0 });
    expect(takeToken(whole.state, ten, 1000, 25).decision).toMatchObject({ allowed: false, retryAfterMs: 1000 });
  });

  test("keys are independent", () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 3; i++) limiter.take("a", policy);
    expect(limiter.take("a", policy).allowed).toBe(false);
    expect(limiter.take("b", policy).allowed).toBe(true);
  });

  test("policies parse from N/unit and 'off', and refuse nonsense", () => {
    expect(parsePolicy("x", "60/min")).toEqual({ name: "x", limit: 60, windowMs: 60_000 });
    expect(parsePolicy("x", "100/10s")).toEqual({ name: "x", limit: 100, windowMs: 10_000 });
    expect(parsePolicy("x", "off")).toBeNull();
    expect(() => parsePolicy("x", "fast")).toThrow();
    expect(() => parsePolicy("x", "0/s")).toThrow();
  });
});

describe("client address", () => {
  const trusted = ["10.0.0.0/8", "127.0.0.1", "fd00::/8"].map((c) => parseCidr(c)!);

  test("ignores X-Forwarded-For from an untrusted peer (it could be forged)", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", trusted)).toBe("203.0.113.9");
  });

  test("takes the right-most untrusted hop behind trusted proxies", () => {
    expect(clientAddress("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9", trusted)).toBe("198.51.100.7");
    expect(clientAddress("127.0.0.1", "198.51.100.8", trusted)).toBe("198.51.100.8");
    expect(clientAddress("fd12::1", "2001:db8::5", trusted)).toBe("2001:db8::5");
  });

  test("with no trusted proxies the socket address is used", () => {
    expect(clientAddress("10.1.2.3", "198.51.100.7", [])).toBe("10.1.2.3");
  });

  test("bad CIDRs are refused", () => {
    expect(parseCidr("10.0.0.0/33")).toBeNull();
    expect(parseCidr("nope")).toBeNull();
    expect(parseCidr("::1/129")).toBeNull();
  });
});

describe("create rate limit over HTTP", () => {
  test("the request past the limit gets 429 with Retry-After and RateLimit headers", async () => {
    const app = await startTestApp({ RATE_LIMIT_CREATE: "3/min" });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await app.post("/api/v1/links", { url: `https://example.com/rl/${i}` });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(last!.headers.get("ratelimit-policy")).toBe('"create";q=3;w=60');
      expect(last!.headers.get("ratelimit")).toMatch(/^"create";r=0;t=\d+$/);
      expect(((await last!.json()) as any).error.code).toBe("rate_limited");
      // redirects stay unlimited by default
      const hop = await app.request("/zzzzzzz");
      expect(hop.status).toBe(404);
    } finally {
      await app.close();
    }
  });

  test("successful creates carry the RateLimit headers too", async () => {
    const app = await startTestApp({ RATE_LIMIT_CREATE: "10/min" });
    try {
      const res = await app.post("/api/v1/links", { url: "https://example.com/rl-ok" });
      expect(res.status).toBe(201);
      expect(res.headers.get("ratelimit")).toMatch(/^"create";r=9;t=\d+$/);
    } finally {
      await app.close();
    }
  });
});
