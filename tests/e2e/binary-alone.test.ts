/**
 * dist/ringlink copied on its own (no node_modules/onnxruntime-node, no models/ beside it) starts,
 * warns once that classification and the unsafe-URL check are off, and serves creates; refused
 * parameters read as sentences in the minified binary too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMBEDDED_ENV, ensureBinary, startServer, type RunningServer } from "../support/processes";

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  const built = await ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "ringlink-alone-"));
  copyFileSync(built, join(dir, "ringlink"));
  expect(readdirSync(dir)).toEqual(["ringlink"]);
  server = await startServer([join(dir, "ringlink"), "serve"], { cwd: dir, env: { ...EMBEDDED_ENV, DATA_DIR: join(dir, "data"), LOG_FORMAT: "json" } });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

const post = (path: string, body: unknown) =>
  fetch(`${server.base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

test("creates answer 201 and redirect, with one warning that classification is off", async () => {
  const res = await post("/api/v1/links", { url: "https://example.com/alone" });
  expect(res.status).toBe(201);
  const { code } = (await res.json()) as { code: string };
  const follow = await fetch(`${server.base}/${code}`, { redirect: "manual" });
  expect(follow.status).toBe(302);
  expect(follow.headers.get("location")).toBe("https://example.com/alone");
  const bulkish = await Promise.all(Array.from({ length: 5 }, (_, i) => post("/api/v1/links", { url: `https://example.com/alone/${i}` })));
  expect(bulkish.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
  await Bun.sleep(200);
  const warnings = server
    .output()
    .split("\n")
    .filter((line) => line.includes('"level":"warn"'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain("classification and the unsafe-URL check are off");
  expect(server.output()).not.toContain('"level":"error"');
}, 30_000);

test("refused parameters and fields read as sentences naming what is allowed", async () => {
  const cases: Array<[Promise<Response>, RegExp]> = [
    [fetch(`${server.base}/api/v1/links/abcd/qr?size=5000`), /^size must be a whole number from 64 to 2048 \(got '5000'\)$/],
    [fetch(`${server.base}/api/v1/links?limit=1000000`), /^limit must be a whole number from 1 to 100/],
    [fetch(`${server.base}/api/v1/links/abcd/stats?interval=week`), /^interval must be one of minute, hour, day/],
    [fetch(`${server.base}/api/v1/links/a%20b`), /^code must be a short code/],
    [post("/api/v1/links", { url: "https://example.com/x", maxClicks: "ten" }), /^maxClicks must be a number or null/],
    [post("/api/v1/links", { url: "https://example.com/x", tags: "a" }), /^tags must be a list of at most 10 strings or null/],
  ];
  for (const [pending, message] of cases) {
    const res = await pending;
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toMatch(message);
    expect(body.error.message).not.toContain("Expected");
  }
}, 30_000);
