/** The HTML pages of /:code look like the dashboard's 404 page: its stylesheet, brand header and card. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/embedded-app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_CREATE: "off" });
});
afterAll(() => app.close());

const html = { accept: "text/html" };
const landmarks = ['<link rel="stylesheet" href="/assets/app.css">', '<header class="site-header">', 'class="brand"', '<section class="card notfound"'];

describe("pages of /:code in a browser", () => {
  test("the 404 page is the dashboard's, with the brand header and the card", async () => {
    const res = await app.request("/nosuchcode", { headers: html });
    expect(res.status).toBe(404);
    const text = await res.text();
    for (const l of landmarks) expect(text).toContain(l);
  });

  test("a deleted link's 410 page has the same layout and says why", async () => {
    const { code } = (await app.createLink({ url: "https://example.com/to-be-deleted" })).json;
    await app.runtime.links.remove(code);
    const res = await app.request(`/${code}`, { headers: html });
    expect(res.status).toBe(410);
    const text = await res.text();
    for (const l of landmarks) expect(text).toContain(l);
    expect(text).toContain('<span class="notfound__code">410</span>');
    expect(text).toContain("This short link was deleted.");
    expect(text).not.toMatch(/<style|style="|<script/);
  });

  test("the password form has the same layout, the page's own stylesheet for the form, and no inline style", async () => {
    const { code } = (await app.createLink({ url: "https://example.com/locked-page", password: "open-sesame" })).json;
    const res = await app.request(`/${code}`, { headers: html });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const l of landmarks) expect(text).toContain(l);
    expect(text).toContain('<link rel="stylesheet" href="/assets/page.css">');
    expect(text).toContain(`<form method="post" action="/${code}" class="unlock">`);
    expect(text).not.toMatch(/<style|style="|<script/);
    expect((await app.request("/assets/page.css")).status).toBe(200);
  });
});
