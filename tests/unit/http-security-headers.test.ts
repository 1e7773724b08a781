/**
 * Every HTML answer (dashboard, /docs, the 404/410 and password pages, the HTML form's answers)
 * carries the security headers, and its markup fits the policy: no inline script or style, only
 * files we serve. Plain redirects carry none of it (the hot path stays as it was), and the
 * compatibility form sends a browser back with an error code, never with words for the page.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ASSET_FILES } from "../../src/dashboard/assets";
import { startTestApp, type TestApp } from "../support/embedded-app";

let app: TestApp;
const HTML = { accept: "text/html,application/xhtml+xml" };

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function expectSecurityHeaders(res: Response, what: string) {
  const csp = res.headers.get("content-security-policy") ?? "";
  const directives = new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
  expect({ what, scripts: directives.get("script-src") }).toEqual({ what, scripts: ["'self'"] });
  expect({ what, styles: directives.get("style-src") }).toEqual({ what, styles: ["'self'"] });
  expect({ what, framing: directives.get("frame-ancestors") }).toEqual({ what, framing: ["'none'"] });
  expect({ what, fallback: directives.get("default-src") }).toEqual({ what, fallback: ["'none'"] });
  expect({ what, base: directives.get("base-uri") }).toEqual({ what, base: ["'none'"] });
  expect({ what, xfo: res.headers.get("x-frame-options") }).toEqual({ what, xfo: "DENY" });
  expect({ what, nosniff: res.headers.get("x-content-type-options") }).toEqual({ what, nosniff: "nosniff" });
  expect({ what, referrer: res.headers.get("referrer-policy") }).toEqual({ what, referrer: "no-referrer" });
}

/** What the policy would block: inline script, event handlers, inline style, anything not ours. */
function expectMarkupFitsPolicy(html: string, what: string) {
  const inlineScripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].filter(
    ([, attrs, body]) => !/\bsrc=/.test(attrs!) || body!.trim() !== "",
  );
  expect({ what, inlineScripts: inlineScripts.map((m) => m[0]) }).toEqual({ what, inlineScripts: [] });
  expect({ what, handlers: html.match(/\son[a-z]+\s*=/gi) ?? [] }).toEqual({ what, handlers: [] });
  expect({ what, styleBlocks: html.match(/<style\b/gi) ?? [] }).toEqual({ what, styleBlocks: [] });
  expect({ what, styleAttributes: html.match(/\sstyle\s*=/gi) ?? [] }).toEqual({ what, styleAttributes: [] });
  const foreign = [...html.matchAll(/\b(?:src|href)\s*=\s*"(https?:)?\/\/[^"]*"/gi)].map((m) => m[0]);
  expect({ what, foreign }).toEqual({ what, foreign: [] });
}

describe("HTML answers", () => {
  test("the dashboard, its alias and /docs", async () => {
    for (const path of ["/", "/dashboard", "/docs"]) {
      const res = await app.request(path, { headers: HTML });
      expect(res.status).toBe(200);
      expectSecurityHeaders(res, path);
      expectMarkupFitsPolicy(await res.text(), path);
    }
  });

  test("the 404 page of an unknown code and the 410 pages of dead links", async () => {
    const missing = await app.request("/NoSuchCode1", { headers: HTML });
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, "404");
    expectMarkupFitsPolicy(await missing.text(), "404");

    const { json } = await app.createLink({ url: "https://example.com/soon-deleted" });
    await app.runtime.links.remove(json.code);
    const gone = await app.request(`/${json.code}`, { headers: HTML });
    expect(gone.status).toBe(410);
    expectSecurityHeaders(gone, "410");
    expectMarkupFitsPolicy(await gone.text(), "410");
  });

  test("the password form, and the form again after a wrong password; its form may lead to the target", async () => {
    const { json } = await app.createLink({ url: "https://example.com/behind-a-password", password: "right-one" });
    const form = await app.request(`/${json.code}?ref=x`, { headers: HTML });
    expect(form.status).toBe(200);
    expectSecurityHeaders(form, "password form");
    expectMarkupFitsPolicy(await form.text(), "password form");
    // The right password answers 303 to the target, which browsers check against form-action.
    expect(form.headers.get("content-security-policy")).toContain("form-action 'self' http: https:");

    const wrong = await app.request(`/${json.code}`, {
      method: "POST",
      headers: { ...HTML, "content-type": "application/x-www-form-urlencoded" },
      body: "password=nope",
    });
    expect(wrong.status).toBe(401);
    expectSecurityHeaders(wrong, "wrong password");
    expectMarkupFitsPolicy(await wrong.text(), "wrong password");
  });

  test("the HTML form's answers (POST /shorten)", async () => {
    const post = (body: string) => app.request("/shorten", { method: "POST", headers: { ...HTML, "content-type": "application/x-www-form-urlencoded" }, body });
    const ok = await post("long_url=https%3A%2F%2Fexample.com%2Fform");
    expect(ok.status).toBe(303);
    expectSecurityHeaders(ok, "/shorten created");
    const refused = await post("long_url=javascript%3Aalert(1)");
    expect(refused.status).toBe(303);
    expectSecurityHeaders(refused, "/shorten refused");
  });
});

describe("what stays as it was", () => {
  test("a plain redirect carries no page headers", async () => {
    const { json } = await app.createLink({ url: "https://example.com/plain-302" });
    const res = await app.request(`/${json.code}`, { headers: HTML, redirect: "manual" });
    expect(res.status).toBe(302);
    expect([...res.headers.keys()].sort()).toEqual(["cache-control", "location"]);
  });

  test("every dashboard file is served with nosniff and, for pages, the policy", async () => {
    for (const name of Object.keys(ASSET_FILES)) {
      const res = await app.request(`/assets/${name}`);
      expect({ name, status: res.status, nosniff: res.headers.get("x-content-type-options") }).toEqual({ name, status: 200, nosniff: "nosniff" });
      if (name.endsWith(".html")) expectSecurityHeaders(res, name);
      await res.arrayBuffer();
    }
  });
});

describe("the dashboard's address never supplies its words", () => {
  test("a refused HTML form comes back with the error's code only", async () => {
    const refused = await app.request("/shorten", {
      method: "POST",
      headers: { ...HTML, "content-type": "application/x-www-form-urlencoded" },
      body: "long_url=javascript%3Aalert(1)",
    });
    expect(refused.headers.get("location")).toBe("/?error=unsupported_scheme");
    const taken = await app.request("/shorten", {
      method: "POST",
      headers: { ...HTML, "content-type": "application/x-www-form-urlencoded" },
      body: "long_url=https%3A%2F%2Fexample.com%2Fa1&alias=form-alias",
    });
    expect(taken.status).toBe(303);
    const again = await app.request("/shorten", {
      method: "POST",
      headers: { ...HTML, "content-type": "application/x-www-form-urlencoded" },
      body: "long_url=https%3A%2F%2Fexample.com%2Fa2&alias=form-alias",
    });
    expect(again.headers.get("location")).toBe("/?error=alias_taken");
  });
});
