/** QR codes are drawn off the serving thread, cached, and limited per client. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/embedded-app";
import { longestStall } from "../support/event-loop";

describe("GET /api/v1/links/:code/qr", () => {
  let app: TestApp;
  let code: string;
  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_BASE_URL: "https://rl.example", RATE_LIMIT_QR: "off" });
    code = (await app.createLink({ url: "https://example.com/qr-load" })).json.code;
    await app.request(`/api/v1/links/${code}/qr?format=png&size=64`); // the QR thread is up
  });
  afterAll(() => app.close());

  test("while eight 2048 px PNGs are drawn, redirects are answered and the event loop never stalls", async () => {
    const { result, stallMs } = await longestStall(async () => {
      const codes = Array.from({ length: 8 }, (_, i) => app.request(`/api/v1/links/${code}/qr?format=png&size=${2048 - i}`));
      const redirect = await app.request(`/${code}`);
      return { redirect, codes: await Promise.all(codes) };
    });
    expect(result.redirect.status).toBe(302);
    expect(result.codes.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(result.codes.every((r) => r.headers.get("content-type") === "image/png")).toBe(true);
    expect(stallMs).toBeLessThan(150);
  });

  test("the same code, format and size is drawn once, then served from the cache", async () => {
    const before = app.runtime.qr.stats.cached;
    const first = new Uint8Array(await (await app.request(`/api/v1/links/${code}/qr?format=png&size=777`)).arrayBuffer());
    const again = new Uint8Array(await (await app.request(`/api/v1/links/${code}/qr?format=png&size=777`)).arrayBuffer());
    expect(app.runtime.qr.stats.cached).toBe(before + 1);
    expect(again).toEqual(first);
    const svg = await app.request(`/api/v1/links/${code}/qr`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(await svg.text()).toStartWith("<svg");
    expect(app.runtime.qr.stats.cached).toBe(before + 2);
  });
});

describe("RATE_LIMIT_QR", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_QR: "3/min" });
  });
  afterAll(() => app.close());

  test("limits QR codes per client: past the budget 429 with Retry-After and the RateLimit fields", async () => {
    const code = (await app.createLink({ url: "https://example.com/qr-limit" })).json.code;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await app.request(`/api/v1/links/${code}/qr?size=${100 + i}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(last!.headers.get("ratelimit-policy")).toBe('"qr";q=3;w=60');
    expect(((await last!.json()) as any).error.code).toBe("rate_limited");
  });
});
