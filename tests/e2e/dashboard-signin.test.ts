/**
 * The dashboard with auth on, in headless Chromium against the compiled binary (two processes, so
 * a session opened on one is honoured by the other): signing in with an API key (a wrong one is
 * refused), the cookie kept from page scripts, the links list with search, tag filter and pages,
 * editing, disabling, QR downloads, deleting, bulk creation, the per-link page with its analytics,
 * a key with fewer scopes seeing fewer actions, a revoked key ending its session, a 400 px wide
 * screen, and a link on a second short domain (DOMAINS) beside the same code on the default one:
 * created with the domain picker, edited, disabled, copied, QR-downloaded, opened, bulk-created
 * and deleted, each reaching that domain's link only. Screenshots go to test-artifacts/ (git-ignored).
 *
 * Needs Debian's `chromium` package (/usr/bin/chromium, or CHROMIUM_PATH) and playwright-core.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser, requireChromium, type HeadlessBrowser } from "../support/browser";
import { EMBEDDED_ENV, ROOT, ensureBinary, startServer, type RunningServer } from "../support/processes";

const ARTIFACTS = join(ROOT, "test-artifacts");
/** bun test 1.4.4 applies its 5 s default despite bunfig's timeout: every hook and test states its budget. */
const SETUP_MS = 90_000;
const TEST_MS = 60_000;
const ADMIN_TOKEN = "browser-signin-admin-token-0123456789abcdef";

let binary: string;
let workDir: string;
let server: RunningServer;
let browser: HeadlessBrowser;
let page: Page;
let pageErrors: string[] = [];
const GO = "go.example.test";
const env = { ...EMBEDDED_ENV, ADMIN_TOKEN, DOMAINS: GO };

interface Key {
  id: string;
  token: string;
}

/** `ringlink keys create` in the server's data directory, as an operator would. */
function createKey(name: string, scopes: string): Key {
  const run = Bun.spawnSync([binary, "keys", "create", "--name", name, "--scopes", scopes], { cwd: workDir, env: { ...process.env, ...env } });
  const out = run.stdout.toString();
  const token = /(rl_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{32})/.exec(out)?.[1];
  if (run.exitCode !== 0 || !token) throw new Error(`keys create failed: ${out}${run.stderr.toString()}`);
  return { id: token.slice(3, 11), token };
}

function revokeKey(id: string): void {
  const run = Bun.spawnSync([binary, "keys", "revoke", id], { cwd: workDir, env: { ...process.env, ...env } });
  if (run.exitCode !== 0) throw new Error(`keys revoke failed: ${run.stderr.toString()}`);
}

let editor: Key;
let viewer: Key;

const bearer = (key: Key) => ({ authorization: `Bearer ${key.token}`, "content-type": "application/json" });

async function createLink(key: Key, body: Record<string, unknown>): Promise<{ code: string }> {
  const res = await fetch(`${server.base}/api/v1/links`, { method: "POST", headers: bearer(key), body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { code: string };
}

async function getLink(code: string, domain?: string): Promise<{ status: number; json: any }> {
  const on = domain === undefined ? "" : `?domain=${domain}`;
  const res = await fetch(`${server.base}/api/v1/links/${code}${on}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, json: await res.json().catch(() => null) };
}

const follow = (code: string, host?: string) =>
  fetch(`${server.base}/${code}`, {
    redirect: "manual",
    headers: {
      connection: "close",
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
      ...(host === undefined ? {} : { host }),
    },
  });

beforeAll(async () => {
  requireChromium();
  binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-signin-"));
  mkdirSync(ARTIFACTS, { recursive: true });
  editor = createKey("Dana (marketing)", "create,manage,stats");
  viewer = createKey("Read-only report", "stats");
  server = await startServer([binary, "serve", "--processes", "2"], { cwd: workDir, env });
  browser = await launchBrowser({ extraArgs: ["--disable-quic"], acceptDownloads: true });
  ({ page, pageErrors } = browser);
}, SETUP_MS);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
}, SETUP_MS);

/** Console errors other than the refused requests a test provokes on purpose (the browser logs every 4xx). */
function unexpectedErrors(...allowedStatuses: number[]): string[] {
  const allowed = allowedStatuses.map((s) => `status of ${s}`);
  return pageErrors.filter((e) => !allowed.some((a) => e.includes(a)));
}

async function signIn(token: string) {
  await page.goto(`${server.base}/#links`);
  await page.waitForSelector("#signin:not([hidden])");
  await page.fill("#signin-token", token);
  await page.click("#signin-submit");
  await page.waitForSelector("#account:not([hidden])");
}

async function signOut() {
  await Promise.all([page.waitForEvent("load"), page.click("#signout-btn")]);
  await page.waitForSelector("#signin:not([hidden])");
}

const row = (code: string) => `#recent-rows tr[data-code="${code}"]`;

async function rowAction(code: string, action: string) {
  const direct = await page.$(`${row(code)} .actions > [data-action="${action}"]`);
  if (direct) return direct.click();
  await page.click(`${row(code)} .menu summary`);
  await page.click(`${row(code)} .menu [data-action="${action}"]`);
}

describe("the dashboard with auth on", () => {
  test(
    "asks for a key, refuses a wrong one, and signs in with a good one into an HttpOnly session",
    async () => {
      await page.goto(`${server.base}/`);
      await page.waitForSelector("#signin:not([hidden])");
      expect(await page.isVisible("#panel-dashboard")).toBe(false);
      expect(await page.isVisible(".tabs")).toBe(false);
      await page.screenshot({ path: join(ARTIFACTS, "signin.png") });

      await page.fill("#signin-token", "rl_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
      await page.click("#signin-submit");
      await page.waitForSelector("#signin-error:not([hidden])");
      expect(await page.textContent("#signin-error")).toContain("not a valid API key");
      expect(await page.isVisible("#account")).toBe(false);

      await page.fill("#signin-token", editor.token);
      await page.click("#signin-submit");
      await page.waitForSelector("#account:not([hidden])");
      expect(await page.textContent("#account-name")).toBe("Dana (marketing)");
      expect(await page.$$eval("#account-scopes .scope", (els) => els.map((e) => e.textContent))).toEqual(["create", "manage", "stats"]);
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });

      // The cookie is HttpOnly and SameSite=Strict; the key is nowhere a page script could read it.
      const cookie = (await browser.context.cookies(server.base)).find((c) => c.name === "ringlink_session");
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
      const readable = await page.evaluate<string>(
        "JSON.stringify([document.cookie, Object.entries(localStorage), Object.entries(sessionStorage), document.documentElement.outerHTML])",
      );
      expect(readable).not.toContain("ringlink_session");
      expect(readable).not.toContain(editor.token);

      // A reload keeps the session (it lives in the cookie, not in the page).
      await page.reload();
      await page.waitForSelector("#account:not([hidden])");
      expect(unexpectedErrors(403)).toEqual([]);
      pageErrors.length = 0;
    },
    TEST_MS,
  );

  test(
    "lists the key's links with search, tag filter and pages",
    async () => {
      for (let i = 0; i < 24; i++) {
        await createLink(editor, { url: `https://example.com/catalogue/item-${i}`, tags: i % 3 === 0 ? ["spring"] : undefined, reuse: false });
      }
      const newest = await createLink(editor, { url: "https://example.com/launch/newest", tags: ["launch", "spring"] });
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector(row(newest.code));
      expect(await page.$$eval("#recent-rows tr", (rows) => rows.length)).toBe(20);
      expect(await page.isDisabled("#page-newer")).toBe(true);
      await page.click("#page-older");
      await browser.waitForPage(`document.getElementById("page-info").textContent === "Page 2"`, 10_000);
      expect(await page.$$eval("#recent-rows tr", (rows) => rows.length)).toBe(5);
      expect(await page.isDisabled("#page-older")).toBe(true);
      await page.click("#page-newer");
      await page.waitForSelector(row(newest.code));

      await page.fill("#links-q", "launch");
      await page.click(".links-filter__go");
      await browser.waitForPage(`document.querySelectorAll("#recent-rows tr").length === 1`, 10_000);
      await page.fill("#links-q", "");
      await page.fill("#links-tag", "spring");
      await page.click(".links-filter__go");
      await browser.waitForPage(`document.querySelectorAll("#recent-rows tr").length === 9`, 10_000);
      await page.fill("#links-tag", "no-such-tag");
      await page.click(".links-filter__go");
      await page.waitForSelector("#recent-empty:not([hidden])");
      expect(await page.textContent("#recent-empty-title")).toBe("No links match");
      await page.fill("#links-tag", "");
      await page.click(".links-filter__go");
      await page.waitForSelector(row(newest.code));
      await page.screenshot({ path: join(ARTIFACTS, "signed-in-links.png"), fullPage: true });
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "the tiles show the store's link total, an idle cache without alarm, and whole subtitles; the 404 page does not speak for 410s",
    async () => {
      await page.goto(`${server.base}/#dashboard`);
      await page.waitForSelector("#panel-dashboard.is-active");
      // 25 links from the test before, created through the API (none since this page's processes started watching).
      await browser.waitForPage(`document.getElementById("kpi-links").textContent === "25"`, 10_000);
      expect(await page.getAttribute("#kpi-hit-card", "data-idle")).toBe("true");
      expect(await page.textContent("#kpi-hit-sub")).toContain("idle");
      for (const width of [1280, 1024, 768, 400]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(100);
        const cut = await page.evaluate<string[]>(
          `[...document.querySelectorAll(".kpi__sub")].filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1).map((e) => e.id || e.textContent)`,
        );
        expect({ width, cut }).toEqual({ width, cut: [] });
      }
      await page.setViewportSize({ width: 1280, height: 900 });

      const missing = await fetch(`${server.base}/NoSuchCode1`, { headers: { accept: "text/html" } });
      expect(missing.status).toBe(404);
      const page404 = await missing.text();
      expect(page404).not.toContain("it has expired or reached its click limit");
      expect(page404).toContain("410");
      const { code } = await createLink(editor, { url: "https://example.com/used-up", maxClicks: 1 });
      expect((await follow(code)).status).toBe(302);
      const usedUp = await follow(code);
      expect(usedUp.status).toBe(410);
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "edits a link's target, expiry, click limit, redirect type, tags, password and query forwarding",
    async () => {
      const { code } = await createLink(editor, { url: "https://example.com/edit/before" });
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector(row(code));
      await rowAction(code, "edit");
      await page.waitForSelector("#edit-dialog[open]");
      expect(await page.inputValue("#edit-url")).toBe("https://example.com/edit/before");
      await page.fill("#edit-url", "https://example.com/edit/after");
      await page.fill("#edit-expires", "2031-06-30T12:00");
      await page.fill("#edit-max", "50");
      await page.selectOption("#edit-redirect", "301");
      await page.fill("#edit-tags", "summer, promo");
      await page.check("#edit-forward");
      await page.check("#edit-protect");
      await page.fill("#edit-password", "open-sesame");
      await page.screenshot({ path: join(ARTIFACTS, "edit-form.png") });
      await page.click("#edit-save");
      await page.waitForSelector("#edit-dialog", { state: "hidden" });

      const { json } = await getLink(code);
      expect(json).toMatchObject({
        url: "https://example.com/edit/after",
        maxClicks: 50,
        redirectType: 301,
        tags: ["summer", "promo"],
        forwardQuery: true,
        passwordProtected: true,
      });
      expect(new Date(json.expiresAt).getFullYear()).toBe(2031);
      await page.waitForSelector(`${row(code)} .tag-chip:text-is("#summer")`);

      // Taking the password off again, and a refused change shows the server's words in the form.
      await rowAction(code, "edit");
      await page.waitForSelector("#edit-dialog[open]");
      await page.uncheck("#edit-protect");
      await page.fill("#edit-url", "ftp://example.com/nope");
      await page.click("#edit-save");
      await page.waitForSelector("#edit-error:not([hidden])");
      expect(await page.textContent("#edit-error")).toMatch(/http/i);
      await page.fill("#edit-url", "https://example.com/edit/after");
      await page.click("#edit-save");
      await page.waitForSelector("#edit-dialog", { state: "hidden" });
      expect((await getLink(code)).json.passwordProtected).toBe(false);
      expect(unexpectedErrors(400)).toEqual([]);
      pageErrors.length = 0;
    },
    TEST_MS,
  );

  test(
    "disables and enables a link, and downloads its QR code as SVG and PNG",
    async () => {
      const { code } = await createLink(editor, { url: "https://example.com/switch" });
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector(row(code));
      await rowAction(code, "disable");
      await page.waitForSelector(`${row(code)}[data-status="disabled"]`);
      expect((await follow(code)).status).toBe(410);
      await rowAction(code, "enable");
      await page.waitForSelector(`${row(code)}[data-status="active"]`);
      expect((await follow(code)).status).toBe(302);

      for (const format of ["svg", "png"] as const) {
        await page.click(`${row(code)} .menu summary`);
        const [download] = await Promise.all([page.waitForEvent("download"), page.click(`${row(code)} .menu [data-action="qr-${format}"]`)]);
        expect(download.suggestedFilename()).toBe(`${code}.${format}`);
        const file = join(workDir, `qr.${format}`);
        await download.saveAs(file);
        const bytes = readFileSync(file);
        if (format === "svg") expect(bytes.toString("utf8")).toContain("<svg");
        else expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      }
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "deletes a link only after the confirmation",
    async () => {
      const { code } = await createLink(editor, { url: "https://example.com/delete-me" });
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector(row(code));
      await rowAction(code, "delete");
      await page.waitForSelector("#confirm-dialog[open]");
      expect(await page.textContent("#confirm-text")).toContain("cannot be undone");
      await page.click("#confirm-cancel");
      await page.waitForSelector("#confirm-dialog", { state: "hidden" });
      expect((await getLink(code)).status).toBe(200);

      await rowAction(code, "delete");
      await page.waitForSelector("#confirm-dialog[open]");
      await page.click("#confirm-ok");
      await page.waitForSelector(row(code), { state: "detached", timeout: 10_000 });
      expect((await getLink(code)).status).toBe(410);
      expect((await follow(code)).status).toBe(410);
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "creates links in bulk from pasted lines and from an uploaded CSV, with a result per row",
    async () => {
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector("#bulk:not([hidden])");
      await page.click(".bulk__summary");
      await page.fill("#bulk-input", ["https://example.com/bulk/one", "not a url", "https://example.com/bulk/two"].join("\n"));
      await page.click("#bulk-submit");
      await page.waitForSelector("#bulk-result:not([hidden])");
      expect(await page.$$eval("#bulk-rows tr", (rows) => rows.map((r) => r.getAttribute("data-status")))).toEqual(["201", "400", "201"]);
      expect(await page.textContent("#bulk-summary")).toContain("2 created");
      expect(await page.textContent("#bulk-summary")).toContain("1 refused");

      const csv = join(workDir, "links.csv");
      writeFileSync(csv, 'url,alias,tags\nhttps://example.com/bulk/csv-a,bulk-csv-a,imported;q3\n"https://example.com/bulk/csv-b?x=1,2",,imported\n');
      await page.setInputFiles("#bulk-file", csv);
      await browser.waitForPage(`document.getElementById("bulk-input").value.startsWith("url,alias,tags")`, 5_000);
      await page.click("#bulk-submit");
      // Exactly: the first batch's summary ("2 created, 1 refused ...") is still on screen until this one answers.
      await browser.waitForPage(`document.getElementById("bulk-summary").textContent === "2 created."`, 10_000);
      const alias = await getLink("bulk-csv-a");
      expect(alias.json).toMatchObject({ url: "https://example.com/bulk/csv-a", tags: ["imported", "q3"], ownerKey: editor.id });
      await page.waitForSelector(row("bulk-csv-a"), { timeout: 10_000 });
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "opens a link's own page with its settings, actions and analytics",
    async () => {
      const { code } = await createLink(editor, { url: "https://example.com/analytics/page", tags: ["report"] });
      for (let i = 0; i < 5; i++) expect((await follow(code)).status).toBe(302);
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector(row(code));
      await page.click(`${row(code)} .code-link`);
      await page.waitForSelector("#panel-analytics.is-active");
      await page.waitForSelector("#link-detail:not([hidden])");
      await browser.waitForPage(`document.getElementById("detail-meta").textContent.includes("https://example.com/analytics/page")`, 10_000);
      expect(await page.textContent("#detail-badges")).toContain("#report");
      expect(await page.$$eval("#detail-actions [data-action]", (els) => els.map((e) => e.getAttribute("data-action")))).toEqual([
        "copy",
        "edit",
        "qr-svg",
        "qr-png",
        "disable",
        "delete",
      ]);
      await page.waitForSelector("#stats-body:not([hidden])", { timeout: 10_000 });
      await browser.waitForPage(`Number(document.getElementById("stats-clicks").textContent) >= 5`, 15_000).catch(async () => {
        await page.click(".stats-form__go"); // the aggregates lag the redirects by a moment: ask once more
        await browser.waitForPage(`Number(document.getElementById("stats-clicks").textContent) >= 5`, 10_000);
      });
      await page.screenshot({ path: join(ARTIFACTS, "link-analytics.png"), fullPage: true });
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "a key with only the stats scope is offered no create form, bulk create, edits or deletes",
    async () => {
      await signOut();
      await signIn(viewer.token);
      expect(await page.$$eval("#account-scopes .scope", (els) => els.map((e) => e.textContent))).toEqual(["stats"]);
      await page.waitForSelector("#recent-empty:not([hidden])");
      expect(await page.isVisible("#shorten-form")).toBe(false);
      expect(await page.isVisible("#bulk")).toBe(false);
      expect(await page.textContent("#recent-empty-text")).toContain("Links created with this key");
      expect(unexpectedErrors()).toEqual([]);
      await signOut();
    },
    TEST_MS,
  );

  test(
    "a revoked key ends its session: the live stream closes and the page asks to sign in again",
    async () => {
      const doomed = createKey("Soon revoked", "create,manage,stats");
      await signIn(doomed.token);
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
      const revokedAt = Date.now();
      revokeKey(doomed.id);
      // The server's key cache holds a key for 5 s; the stream re-checks its credential every second.
      await page.waitForSelector("#signin:not([hidden])", { timeout: 9_000 });
      expect(Date.now() - revokedAt).toBeLessThan(8_000);
      expect(await page.textContent("#signin-ended")).toContain("signed out");
      expect(await page.isVisible("#account")).toBe(false);
      // The cookie is worth nothing now, from any process.
      const cookie = (await browser.context.cookies(server.base)).find((c) => c.name === "ringlink_session")!;
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${server.base}/api/v1/links`, { headers: { cookie: `ringlink_session=${cookie.value}`, connection: "close" } });
        expect(res.status).toBe(401);
      }
      expect(unexpectedErrors(401)).toEqual([]);
      pageErrors.length = 0;
    },
    TEST_MS,
  );

  test(
    "fits a 400 px wide screen: sign-in, links, the edit form and a link's page",
    async () => {
      await page.setViewportSize({ width: 400, height: 860 });
      const overflow = () => page.evaluate<number>("Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)");
      await page.goto(`${server.base}/`);
      await page.waitForSelector("#signin:not([hidden])");
      expect(await overflow()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, "signin-400px.png") });

      await signIn(editor.token);
      const { code } = await createLink(editor, { url: "https://example.com/narrow/screen/with/a/rather/long/path?and=query", tags: ["mobile"] });
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector(row(code));
      expect(await overflow()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, "signed-in-links-400px.png"), fullPage: true });

      await rowAction(code, "edit");
      await page.waitForSelector("#edit-dialog[open]");
      expect(await overflow()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, "edit-form-400px.png") });
      await page.click("#edit-cancel");

      await page.goto(`${server.base}/#analytics/${code}`);
      await page.waitForSelector("#link-detail:not([hidden])");
      await browser.waitForPage(`document.getElementById("detail-meta").textContent.includes("narrow/screen")`, 10_000);
      expect(await overflow()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, "link-analytics-400px.png"), fullPage: true });
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "a link on a second domain: created with the picker, edited, disabled, copied, QR-downloaded, opened, bulk-created and deleted on that domain only",
    async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      // Signed in as Dana by the test before. The same alias on the default domain must stay untouched throughout.
      const twin = await createLink(editor, { url: "https://example.com/twin/default", alias: "twin" });
      expect(twin.code).toBe("twin");
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector("#domain-field:not([hidden])");
      const options = await page.$$eval("#domain option", (els) => els.map((e) => e.getAttribute("value")));
      const home = options[0]!;
      expect(options).toEqual([home, GO]);
      const onGo = `#recent-rows tr[data-code="twin"][data-domain="${GO}"]`;
      const onHome = `#recent-rows tr[data-code="twin"][data-domain="${home}"]`;

      // Create on the second domain: the alias is free there although the default domain has it.
      await page.fill("#long-url", "https://example.com/twin/go");
      await page.fill("#alias", "twin");
      await page.selectOption("#domain", GO);
      await page.click("#submit-btn");
      await page.waitForSelector("#result:not([hidden])");
      expect(await page.textContent("#result-link")).toBe(`http://${GO}/twin`);
      expect(await page.getAttribute("#result-stats", "href")).toBe(`#analytics/${GO}/twin`);
      expect(await page.inputValue("#domain")).toBe(GO); // the choice stays for the next link
      expect((await getLink("twin", GO)).json).toMatchObject({ url: "https://example.com/twin/go", domain: GO, ownerKey: editor.id });
      expect((await follow("twin", GO)).headers.get("location")).toBe("https://example.com/twin/go");
      await page.waitForSelector(onGo);
      await page.waitForSelector(onHome);
      expect(await page.textContent(`${onGo} .code-domain`)).toBe(GO);
      await page.screenshot({ path: join(ARTIFACTS, "second-domain-links.png"), fullPage: true });

      // Edit: the dialog loads the second domain's link and the change lands there.
      const goRow = page.locator(onGo);
      await goRow.locator('[data-action="edit"]').click();
      await page.waitForSelector("#edit-dialog[open]");
      expect(await page.textContent("#edit-title")).toBe(`Edit ${GO}/twin`);
      expect(await page.inputValue("#edit-url")).toBe("https://example.com/twin/go");
      await page.fill("#edit-url", "https://example.com/twin/go-edited");
      await page.fill("#edit-tags", "second-domain");
      await page.click("#edit-save");
      await page.waitForSelector("#edit-dialog", { state: "hidden" });
      expect((await getLink("twin", GO)).json).toMatchObject({ url: "https://example.com/twin/go-edited", tags: ["second-domain"] });
      expect((await getLink("twin")).json).toMatchObject({ url: "https://example.com/twin/default", tags: [] });
      expect((await follow("twin", GO)).headers.get("location")).toBe("https://example.com/twin/go-edited");
      expect((await follow("twin")).headers.get("location")).toBe("https://example.com/twin/default");

      // Disable and enable.
      await page.waitForSelector(`${onGo} .tag-chip`);
      await goRow.locator(".menu summary").click();
      await goRow.locator('.menu [data-action="disable"]').click();
      await page.waitForSelector(`${onGo}[data-status="disabled"]`);
      expect((await follow("twin", GO)).status).toBe(410);
      expect((await follow("twin")).status).toBe(302);
      await goRow.locator(".menu summary").click();
      await goRow.locator('.menu [data-action="enable"]').click();
      await page.waitForSelector(`${onGo}[data-status="active"]`);
      expect((await follow("twin", GO)).status).toBe(302);

      // Copy names the second domain's short URL.
      await goRow.locator('[data-action="copy"]').click();
      await browser.waitForPage(`/^(Copied|Could not copy)/.test(document.getElementById("toast").textContent)`, 5_000);
      expect(await page.textContent("#toast")).toBe(`Copied http://${GO}/twin`);

      // QR codes: the second domain's link, named after its domain, and not the default one's picture.
      for (const format of ["svg", "png"] as const) {
        await goRow.locator(".menu summary").click();
        const [download] = await Promise.all([page.waitForEvent("download"), goRow.locator(`.menu [data-action="qr-${format}"]`).click()]);
        expect(download.suggestedFilename()).toBe(`${GO}_twin.${format}`);
        const file = join(workDir, `qr-go.${format}`);
        await download.saveAs(file);
        const bytes = readFileSync(file);
        const api = async (domain: string) =>
          Buffer.from(await (await fetch(`${server.base}/api/v1/links/twin/qr?format=${format}&size=512${domain}`)).arrayBuffer());
        expect(bytes.equals(await api(`&domain=${GO}`))).toBe(true);
        expect(bytes.equals(await api(""))).toBe(false);
      }

      // The per-link page of the second domain's link, with its clicks.
      expect((await follow("twin", GO)).status).toBe(302);
      await goRow.locator(".code-link").click();
      await page.waitForSelector("#link-detail:not([hidden])");
      expect(await page.evaluate<string>("location.hash")).toBe(`#analytics/${GO}/twin`);
      await browser.waitForPage(`document.getElementById("detail-meta").textContent.includes("https://example.com/twin/go-edited")`, 10_000);
      expect(await page.textContent("#detail-link")).toBe(`${GO}/twin`);
      expect(await page.inputValue("#stats-code")).toBe(`${GO}/twin`);
      await page.waitForSelector("#stats-body:not([hidden])", { timeout: 10_000 });
      // A reload of that address shows the same link.
      await page.reload();
      await browser.waitForPage(`document.getElementById("detail-meta").textContent.includes("https://example.com/twin/go-edited")`, 10_000);

      // Bulk creation with a domain column.
      await page.goto(`${server.base}/#links`);
      await page.waitForSelector("#bulk:not([hidden])");
      await page.click(".bulk__summary");
      await page.fill("#bulk-input", `url,alias,domain\nhttps://example.com/bulk/go,bulk-twin,${GO}\nhttps://example.com/bulk/home,bulk-twin,\n`);
      await page.click("#bulk-submit");
      // The earlier test's summary may still read "2 created.": wait for this batch's own rows.
      await browser.waitForPage(`[...document.querySelectorAll("#bulk-rows a")].some((a) => a.textContent === "http://${GO}/bulk-twin")`, 10_000);
      expect(await page.textContent("#bulk-summary")).toBe("2 created.");
      expect((await getLink("bulk-twin", GO)).json.url).toBe("https://example.com/bulk/go");
      const homeBulk = (await getLink("bulk-twin")).json;
      expect(homeBulk.url).toBe("https://example.com/bulk/home");
      expect(await page.$$eval("#bulk-rows a", (els) => els.map((e) => e.textContent))).toEqual([`http://${GO}/bulk-twin`, homeBulk.shortUrl]);

      // Delete: the confirmation names the domain; only that link goes.
      await page.waitForSelector(onGo);
      await goRow.locator(".menu summary").click();
      await goRow.locator('.menu [data-action="delete"]').click();
      await page.waitForSelector("#confirm-dialog[open]");
      expect(await page.textContent("#confirm-title")).toBe(`Delete ${GO}/twin?`);
      expect(await page.textContent("#confirm-text")).toContain(`http://${GO}/twin`);
      await page.click("#confirm-ok");
      await page.waitForSelector(onGo, { state: "detached", timeout: 10_000 });
      expect((await getLink("twin", GO)).status).toBe(410);
      expect((await follow("twin", GO)).status).toBe(410);
      expect((await getLink("twin")).status).toBe(200);
      expect((await follow("twin")).headers.get("location")).toBe("https://example.com/twin/default");
      await page.waitForSelector(onHome);
      expect(unexpectedErrors()).toEqual([]);
    },
    TEST_MS,
  );
});
