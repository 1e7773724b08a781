/**
 * Domains, rules and previews through the compiled binary, whose redirects take Bun's native
 * `/:code` route (not the app's): per-domain codes chosen by Host, the domain's root and not-found
 * redirects, a rule, and a crawler's preview page.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMBEDDED_ENV, ensureBinary, startServer, type RunningServer } from "../support/processes";

const ADMIN = "e2e-routing-admin-token-0123456789abcdef";
const admin = { "content-type": "application/json", authorization: `Bearer ${ADMIN}` };
const GO = "go.example.test";

let workDir: string;
let server: RunningServer;

beforeAll(async () => {
  const binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-e2e-routing-"));
  server = await startServer([binary, "serve"], {
    cwd: workDir,
    env: { ...EMBEDDED_ENV, ADMIN_TOKEN: ADMIN, DOMAINS: `${GO} root=https://example.com/go-home not-found=https://example.com/go-missing` },
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const create = async (body: Record<string, unknown>) => {
  const res = await fetch(`${server.base}/api/v1/links`, { method: "POST", headers: admin, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const follow = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.base}${path}`, { redirect: "manual", headers });
  return { status: res.status, location: res.headers.get("location"), res };
};

describe("dist/ringlink with several domains", () => {
  test("the same code on two domains, each served by Host", async () => {
    expect((await create({ url: "https://example.com/plain", alias: "promo" })).status).toBe(201);
    const go = await create({ url: "https://example.com/go", alias: "promo", domain: GO });
    expect(go.status).toBe(201);
    expect(go.body.shortUrl).toBe(`http://${GO}/promo`);
    expect((await follow("/promo")).location).toBe("https://example.com/plain");
    expect((await follow("/promo", { host: GO })).location).toBe("https://example.com/go");
    expect((await create({ url: "https://example.com/x", domain: "nowhere.example.test" })).body.error.code).toBe("unknown_domain");
  });

  test("the domain's root and unknown codes redirect; the default domain keeps its dashboard and 404", async () => {
    expect((await follow("/", { host: GO })).location).toBe("https://example.com/go-home");
    expect((await follow("/", {})).status).toBe(200);
    expect((await follow("/missing-code", { host: GO })).location).toBe("https://example.com/go-missing");
    expect((await follow("/missing-code")).status).toBe(404);
  });

  test("rules and previews on the native route", async () => {
    const made = await create({
      url: "https://example.com/own",
      domain: GO,
      rules: [{ conditions: [{ type: "language", anyOf: ["nl"] }], url: "https://example.com/nl" }],
      preview: { title: "Binary <preview>" },
    });
    expect(made.status).toBe(201);
    const code = made.body.code as string;
    expect((await follow(`/${code}`, { host: GO, "accept-language": "nl-BE, en;q=0.5" })).location).toBe("https://example.com/nl");
    expect((await follow(`/${code}`, { host: GO, "accept-language": "en" })).location).toBe("https://example.com/own");
    const crawler = await follow(`/${code}`, { host: GO, "user-agent": "Twitterbot/1.0" });
    expect(crawler.status).toBe(200);
    expect(await crawler.res.text()).toContain('content="Binary &lt;preview&gt;"');
  });
});
