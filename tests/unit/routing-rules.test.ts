/**
 * Redirect rules end to end in embedded mode: every condition type (table-driven), the order of
 * rules (first match wins), validation on write (400 with its own code), the API and OpenAPI
 * showing the fields, and PATCH changing them with the cached entry dropped.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { preferredLanguage } from "../../src/routing";
import { startServedTestApp, type ServedTestApp } from "../support/embedded-app";

let app: ServedTestApp;
let base: string;
const ADMIN = "admin-token-for-routing-rules-0123456789";
const asAdmin = { "content-type": "application/json", authorization: `Bearer ${ADMIN}` };

beforeAll(async () => {
  app = await startServedTestApp({ TRUSTED_PROXIES: "127.0.0.1", RATE_LIMIT_CREATE: "off", ADMIN_TOKEN: ADMIN });
  base = app.base;
});
afterAll(async () => {
  await app.close();
});

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
const WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";
const MAC_CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const HIT = "https://example.com/rule-hit";
const OWN = "https://example.com/own-target";

async function linkWith(rules: unknown[]): Promise<string> {
  const res = await app.createLink({ url: OWN, rules });
  expect(res.status).toBe(201);
  return res.json.code;
}

async function follow(code: string, headers: Record<string, string> = {}, query = ""): Promise<string | null> {
  const res = await fetch(`${base}/${code}${query}`, { redirect: "manual", headers: { "user-agent": MAC_CHROME, ...headers } });
  expect([301, 302, 307, 308]).toContain(res.status);
  return res.headers.get("location");
}

const past = new Date(Date.now() - 3_600_000).toISOString();
const future = new Date(Date.now() + 3_600_000).toISOString();

interface Case {
  name: string;
  condition: Record<string, unknown>;
  matches: { headers?: Record<string, string>; query?: string };
  misses: { headers?: Record<string, string>; query?: string };
}

const CASES: Case[] = [
  { name: "device mobile", condition: { type: "device", anyOf: ["mobile"] }, matches: { headers: { "user-agent": IPHONE } }, misses: {} },
  { name: "device desktop", condition: { type: "device", anyOf: ["desktop"] }, matches: {}, misses: { headers: { "user-agent": ANDROID } } },
  { name: "os (any case)", condition: { type: "os", anyOf: ["android", "iOS"] }, matches: { headers: { "user-agent": ANDROID } }, misses: {} },
  {
    name: "browser",
    condition: { type: "browser", anyOf: ["Firefox"] },
    matches: { headers: { "user-agent": WINDOWS_FIREFOX } },
    misses: { headers: { "user-agent": MAC_CHROME } },
  },
  {
    name: "language by highest q",
    condition: { type: "language", anyOf: ["de"] },
    matches: { headers: { "accept-language": "en;q=0.5, de-CH;q=0.9, fr;q=0.8" } },
    misses: { headers: { "accept-language": "de;q=0.4, en-GB" } },
  },
  {
    name: "language ignores q=0",
    condition: { type: "language", anyOf: ["fr"] },
    matches: { headers: { "accept-language": "fr" } },
    misses: { headers: { "accept-language": "fr;q=0, *;q=0.5" } },
  },
  {
    name: "country",
    condition: { type: "country", anyOf: ["de", "AT"] },
    matches: { headers: { "cf-ipcountry": "AT" } },
    misses: { headers: { "cf-ipcountry": "CH" } },
  },
  { name: "query present", condition: { type: "query", param: "beta", op: "present" }, matches: { query: "?beta" }, misses: { query: "?other=1" } },
  { name: "query absent", condition: { type: "query", param: "beta", op: "absent" }, matches: { query: "?x=1" }, misses: { query: "?beta=1" } },
  {
    name: "query equals",
    condition: { type: "query", param: "src", op: "equals", value: "mail" },
    matches: { query: "?src=mail" },
    misses: { query: "?src=web" },
  },
  {
    name: "ipv4 CIDR",
    condition: { type: "ip", anyOf: ["203.0.113.0/24"] },
    matches: { headers: { "x-forwarded-for": "203.0.113.77" } },
    misses: { headers: { "x-forwarded-for": "198.51.100.1" } },
  },
  {
    name: "ipv6 CIDR and single address",
    condition: { type: "ip", anyOf: ["2001:db8::/32", "192.0.2.9"] },
    matches: { headers: { "x-forwarded-for": "2001:db8:1::5" } },
    misses: { headers: { "x-forwarded-for": "2001:db9::1" } },
  },
  { name: "before an instant", condition: { type: "before", at: future }, matches: {}, misses: {} },
  { name: "after an instant", condition: { type: "after", at: past }, matches: {}, misses: {} },
];

describe("each condition type", () => {
  test.each(CASES)("$name", async ({ condition, matches, misses, name }) => {
    const code = await linkWith([{ conditions: [condition], url: HIT }]);
    expect(await follow(code, matches.headers, matches.query)).toStartWith(HIT);
    // Time conditions have no request that misses: the opposite instant does.
    if (name.startsWith("before") || name.startsWith("after")) {
      const opposite = await linkWith([{ conditions: [{ ...condition, at: name.startsWith("before") ? past : future }], url: HIT }]);
      expect(await follow(opposite)).toBe(OWN);
    } else expect(await follow(code, misses.headers, misses.query)).toBe(OWN);
  });
});

describe("rule order and combination", () => {
  test("the first matching rule wins, later ones are not reached", async () => {
    const code = await linkWith([
      { conditions: [{ type: "os", anyOf: ["iOS"] }], url: "https://example.com/first" },
      { conditions: [{ type: "device", anyOf: ["mobile"] }], url: "https://example.com/second" },
    ]);
    expect(await follow(code, { "user-agent": IPHONE })).toBe("https://example.com/first");
    expect(await follow(code, { "user-agent": ANDROID })).toBe("https://example.com/second");
    expect(await follow(code)).toBe(OWN);
  });

  test("all conditions of a rule must hold", async () => {
    const code = await linkWith([
      {
        conditions: [
          { type: "device", anyOf: ["mobile"] },
          { type: "country", anyOf: ["FR"] },
        ],
        url: HIT,
      },
    ]);
    expect(await follow(code, { "user-agent": IPHONE, "x-country-code": "FR" })).toBe(HIT);
    expect(await follow(code, { "user-agent": IPHONE, "x-country-code": "DE" })).toBe(OWN);
    expect(await follow(code, { "x-country-code": "FR" })).toBe(OWN);
  });

  test("a routed link's redirect may not be kept by the browser", async () => {
    const code = await linkWith([{ conditions: [{ type: "device", anyOf: ["mobile"] }], url: HIT }]);
    const res = await fetch(`${base}/${code}`, { redirect: "manual" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  test("forwardQuery applies to the target a rule chose", async () => {
    const res = await app.createLink({ url: OWN, forwardQuery: true, rules: [{ conditions: [{ type: "query", param: "a", op: "present" }], url: HIT }] });
    expect(await follow(res.json.code, {}, "?a=1")).toBe(`${HIT}?a=1`);
  });
});

describe("validation on write", () => {
  const rule = (condition: unknown) => [{ conditions: [condition], url: HIT }];
  test.each([
    ["unknown condition", rule({ type: "moon_phase", anyOf: ["full"] }), "unknown_condition"],
    ["bad CIDR", rule({ type: "ip", anyOf: ["10.0.0.0/33"] }), "invalid_cidr"],
    ["bad IP", rule({ type: "ip", anyOf: ["300.1.1.1"] }), "invalid_cidr"],
    ["bad language tag", rule({ type: "language", anyOf: ["english"] }), "invalid_language"],
    ["bad country", rule({ type: "country", anyOf: ["DEU"] }), "invalid_country"],
    ["unknown device", rule({ type: "device", anyOf: ["fridge"] }), "invalid_condition"],
    ["unknown OS", rule({ type: "os", anyOf: ["BeOS"] }), "invalid_condition"],
    ["query op", rule({ type: "query", param: "a", op: "contains" }), "invalid_condition"],
    ["equals without value", rule({ type: "query", param: "a", op: "equals" }), "invalid_condition"],
    ["instant without zone", rule({ type: "after", at: "2030-01-01T00:00" }), "invalid_instant"],
    ["no conditions", [{ conditions: [], url: HIT }], "invalid_rules"],
    ["more than 20 rules", Array.from({ length: 21 }, () => ({ conditions: [{ type: "device", anyOf: ["mobile"] }], url: HIT })), "too_many_rules"],
    ["bad rule target", rule({ type: "device", anyOf: ["mobile"] }).map((r) => ({ ...r, url: "javascript:alert(1)" })), "unsupported_scheme"],
  ])("%s answers 400", async (_name, rules, code) => {
    const res = await app.createLink({ url: OWN, rules });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message).toContain("rules");
  });

  test("exactly 20 rules are fine", async () => {
    const rules = Array.from({ length: 20 }, (_, i) => ({ conditions: [{ type: "query", param: `p${i}`, op: "present" }], url: `${HIT}/${i}` }));
    const res = await app.createLink({ url: OWN, rules });
    expect(res.status).toBe(201);
    expect(res.json.rules).toHaveLength(20);
  });
});

describe("the API shows and changes rules", () => {
  test("GET shows them normalised; PATCH replaces them and the next redirect follows the new ones", async () => {
    const code = await linkWith([{ conditions: [{ type: "country", anyOf: ["de"] }], url: HIT }]);
    const shown = (await (await app.request(`/api/v1/links/${code}`)).json()) as { rules: unknown };
    expect(shown.rules).toEqual([{ conditions: [{ type: "country", anyOf: ["DE"] }], url: HIT }]);
    expect(await follow(code, { "cf-ipcountry": "DE" })).toBe(HIT);
    const patched = await app.request(`/api/v1/links/${code}`, {
      method: "PATCH",
      headers: asAdmin,
      body: JSON.stringify({ rules: [{ conditions: [{ type: "country", anyOf: ["FR"] }], url: "https://example.com/fr" }] }),
    });
    expect(patched.status).toBe(200);
    expect(await follow(code, { "cf-ipcountry": "DE" })).toBe(OWN);
    expect(await follow(code, { "cf-ipcountry": "FR" })).toBe("https://example.com/fr");
    const cleared = await app.request(`/api/v1/links/${code}`, {
      method: "PATCH",
      headers: asAdmin,
      body: JSON.stringify({ rules: null }),
    });
    expect(((await cleared.json()) as { rules: unknown }).rules).toBeNull();
    const res = await fetch(`${base}/${code}`, { redirect: "manual", headers: { "cf-ipcountry": "FR" } });
    expect(res.headers.get("location")).toBe(OWN);
    expect(res.headers.get("cache-control")).not.toBe("no-store");
  });

  test("the OpenAPI document describes rules, variants and preview", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as Record<string, any>;
    const text = JSON.stringify(doc);
    for (const word of ["rules", "variants", "preview", "conditions", "weight"]) expect(text).toContain(`"${word}"`);
  });
});

describe("preferred language", () => {
  test.each([
    ["de-CH, en;q=0.8", "de"],
    ["en;q=0.2, pt-BR;q=0.7", "pt"],
    ["*;q=0.9, fr;q=0.5", "fr"],
    ["es;q=0", null],
    ["", null],
    ["da, en-gb;q=0.8, en;q=0.7", "da"],
    ["it;q=0.8, ja;q=0.8", "it"],
  ])("%p -> %p", (header, expected) => {
    expect(preferredLanguage(header)).toBe(expected);
  });
});
