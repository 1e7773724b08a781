/**
 * The dashboard in headless Chromium against the compiled binary (two processes): it connects to
 * /ws, a link created with its form shows up as an event, following the link moves the counters,
 * and every tab fits a 400 px wide screen. Every page runs under its Content-Security-Policy (a
 * refused script, style or form shows up as a console error, and console errors fail the tests).
 * Screenshots go to test-artifacts/ (git-ignored).
 *
 * Needs Debian's `chromium` package (/usr/bin/chromium, or CHROMIUM_PATH) and playwright-core.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser, requireChromium, type HeadlessBrowser } from "../support/browser";
import { EMBEDDED_ENV, ROOT, childPids, ensureBinary, startServer, type RunningServer } from "../support/processes";

const ARTIFACTS = join(ROOT, "test-artifacts");
const TABS = ["dashboard", "links", "analytics", "nodes", "history"] as const;
/** bun test 1.4.4 applies its 5 s default despite bunfig's timeout: every hook and test states its budget. */
const SETUP_MS = 60_000;
const TEST_MS = 60_000;

let workDir: string;
let server: RunningServer;
let browser: HeadlessBrowser;
let page: Page;
/** Stands in for a password link's target: Chromium resolves TARGET_HOST to it, so no lookup leaves the machine. */
let targetServer: ReturnType<typeof Bun.serve>;
const TARGET_HOST = "unlock.example";
let pageErrors: string[] = [];

beforeAll(async () => {
  requireChromium();
  const binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-browser-"));
  mkdirSync(ARTIFACTS, { recursive: true });
  targetServer = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("the target", { headers: { "content-type": "text/plain" } }) });
  server = await startServer([binary, "serve", "--processes", "2"], { cwd: workDir, env: EMBEDDED_ENV }); // embedded on purpose: `bun run test` exports the cluster to every suite
  browser = await launchBrowser({ extraArgs: ["--disable-quic", `--host-resolver-rules=MAP ${TARGET_HOST} 127.0.0.1:${targetServer.port}`] });
  ({ page, pageErrors } = browser);
}, SETUP_MS);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  targetServer?.stop(true);
  rmSync(workDir, { recursive: true, force: true });
}, SETUP_MS);

const number = (text: string | null) => Number((text ?? "").replace(/[^\d.]/g, "")) || 0;
/** A page-side expression (the test is typed without the DOM library): a tile's number. */
const kpi = (id: string) => `Number((document.getElementById(${JSON.stringify(id)})?.textContent ?? "").replace(/[^\\d]/g, ""))`;

async function showTab(name: (typeof TABS)[number]) {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#panel-${name}.is-active`);
}

describe("the dashboard in Chromium", () => {
  test(
    "goes live, shows a created link's event and moving counters, and saves a screenshot",
    async () => {
      await page.goto(`${server.base}/`);
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
      // Nothing configured to sign in with: no sign-in card, nobody signed in, the tabs as always.
      expect(await page.isVisible("#signin")).toBe(false);
      expect(await page.isVisible("#account")).toBe(false);
      expect(await page.isVisible(".tabs")).toBe(true);
      // Both processes report within a couple of seconds.
      await browser.waitForPage(`document.getElementById("kpi-procs")?.textContent === "2"`, 15_000);
      const linksBefore = number(await page.textContent("#kpi-links"));

      await showTab("links");
      const url = `https://example.com/browser/${Date.now()}`;
      await page.fill("#long-url", url);
      await page.click("#submit-btn");
      await page.waitForSelector("#result:not([hidden])");
      const shortUrl = (await page.textContent("#result-link"))!.trim();
      const code = shortUrl.slice(shortUrl.lastIndexOf("/") + 1);
      expect(code).toMatch(/^[A-Za-z0-9]{7}$/);
      // The recent list refreshes on the created event.
      await page.waitForSelector(`#recent-rows .code-link:text-is("${code}")`, { timeout: 10_000 });

      // Follow it a few times on fresh connections (both processes get some of them).
      for (let i = 0; i < 6; i++) {
        const hop = await fetch(`${server.base}/${code}`, {
          redirect: "manual",
          keepalive: false,
          headers: { connection: "close", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" },
        });
        expect(hop.status).toBe(302);
      }

      await showTab("dashboard");
      await page.waitForSelector(`#feed-list .feed-row[data-code="${code}"][data-type="write"]`, { timeout: 10_000 });
      await page.waitForSelector(`#feed-list .feed-row[data-code="${code}"][data-type="read"]`, { timeout: 10_000 });
      await browser.waitForPage(`${kpi("kpi-links")} > ${linksBefore}`, 10_000);
      await browser.waitForPage(`${kpi("kpi-requests")} >= 6`, 10_000);
      expect(await page.textContent("#kpi-hit")).toMatch(/%$/);

      // The filters narrow the feed to the link's clicks.
      await page.selectOption("#f-type", "read");
      await page.fill("#f-text", code);
      const rows = await page.$$eval("#feed-list .feed-row", (els) => els.map((e) => e.getAttribute("data-type")));
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows)).toEqual(new Set(["read"]));
      await page.selectOption("#f-type", "");
      await page.fill("#f-text", "");

      await page.waitForTimeout(1_500); // a few more ticks on the charts
      const shot = join(ARTIFACTS, "dashboard.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);

      // Nodes: both processes and the one SQLite shard.
      await showTab("nodes");
      await browser.waitForPage(`document.querySelectorAll("#procs-rows tr").length === 2`, 10_000);
      expect(await page.textContent("#shards")).toContain("sqlite");

      // Analytics: the link's own statistics (the stats API), reached through its address.
      await page.goto(`${server.base}/#analytics/${code}`);
      await page.waitForSelector("#panel-analytics.is-active");
      await page.waitForSelector("#stats-body:not([hidden])", { timeout: 10_000 });
      await browser.waitForPage(`${kpi("stats-clicks")} > 0`, 15_000).catch(async () => {
        await page.click(".stats-form__go"); // the aggregates lag the redirects by a moment: ask once more
        await browser.waitForPage(`${kpi("stats-clicks")} > 0`, 10_000);
      });
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-analytics.png"), fullPage: true });

      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "every tab fits a 400 px wide screen",
    async () => {
      await page.setViewportSize({ width: 400, height: 860 });
      await page.goto(`${server.base}/`);
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
      await page.waitForTimeout(1_200);
      for (const tab of TABS) {
        await showTab(tab);
        const overflow = await page.evaluate<number>("Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)");
        expect({ tab, overflow }).toEqual({ tab, overflow: 0 });
      }
      await showTab("dashboard");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-400px.png"), fullPage: true });
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "shows none of the text a crafted address puts in ?error= or ?created=",
    async () => {
      await page.goto(`${server.base}/?error=${encodeURIComponent("Your account is locked: call +1 555 0100 now")}`);
      await page.waitForSelector("#form-error:not([hidden])");
      const refused = (await page.textContent("#form-error")) ?? "";
      expect(refused).toContain("could not be shortened");
      expect(refused).not.toContain("555");
      await page.goto(`${server.base}/?error=alias_taken`);
      await page.waitForSelector("#form-error:not([hidden])");
      expect(await page.textContent("#form-error")).toContain("That alias is already taken");
      await page.goto(`${server.base}/?created=${encodeURIComponent("Call-5550100-now")}`);
      await page.waitForSelector("#form-error:not([hidden])");
      expect(await page.textContent("#form-error")).not.toContain("5550100");
      expect(pageErrors.filter((e) => !e.includes("404"))).toEqual([]); // the unknown code's lookup is a 404 by design
      pageErrors.length = 0;
    },
    TEST_MS,
  );

  test(
    "/docs renders the API reference from our own files",
    async () => {
      const foreign: string[] = [];
      const watch = (r: { url(): string }) => {
        if (!r.url().startsWith(server.base)) foreign.push(r.url());
      };
      page.on("request", watch);
      await page.goto(`${server.base}/docs`);
      await browser.waitForPage(`Number(/(\\d+) endpoints loaded/.exec(document.getElementById("docs-status")?.textContent ?? "")?.[1] ?? 0) > 10`, 10_000);
      page.off("request", watch);
      expect(foreign).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "a password link's form unlocks under the page's policy and leads to the target",
    async () => {
      const target = `http://${TARGET_HOST}/after-password/${Date.now()}`;
      const res = await fetch(`${server.base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: target, password: "let-me-in" }),
      });
      expect(res.status).toBe(201);
      const { code } = (await res.json()) as { code: string };
      await page.goto(`${server.base}/${code}`);
      await page.fill('input[name="password"]', "let-me-in");
      await Promise.all([page.waitForURL(target, { timeout: 10_000 }), page.click('button[type="submit"]')]);
      expect(await page.textContent("body")).toContain("the target");
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    "says when the stream drops and reconnects by itself",
    async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.base}/#nodes`);
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
      await browser.waitForPage(`document.querySelectorAll("#procs-rows tr").length === 2`, 10_000);
      // Kill the process serving this page's socket; the supervisor restarts it, the page reconnects.
      // (The page is not an admin's, so it shows no pids: the process index is the node's suffix.)
      const node = await page.getAttribute("#conn", "data-node");
      expect(await page.$$(".proc__pid")).toHaveLength(0);
      const pid = childPids(server).get(Number(node!.slice(node!.lastIndexOf(".") + 1)))!;
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, "SIGKILL");
      await page.waitForSelector('#conn:not([data-state="live"])', { timeout: 15_000 });
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 30_000 });
      const log = await page.$$eval("#connlog .connlog__text", (items) => items.map((item) => item.textContent ?? ""));
      const dropped = log.findIndex((line) => line.startsWith("disconnected"));
      expect(dropped).toBeGreaterThan(0);
      expect(log.slice(0, dropped)).toContain("connected"); // newest first: connected again after the drop
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});
