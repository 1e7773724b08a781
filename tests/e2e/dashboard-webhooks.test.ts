/**
 * The dashboard's Webhooks tab in headless Chromium against the compiled binary: signed in with
 * the admin token, add a webhook to a receiver on loopback, see its secret once, create a
 * link, and read the delivery in the tab's log. The page runs under its Content-Security-Policy;
 * any console error fails the test.
 *
 * Needs Debian's `chromium` package (/usr/bin/chromium, or CHROMIUM_PATH) and playwright-core.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser, requireChromium, type HeadlessBrowser } from "../support/browser";
import { EMBEDDED_ENV, ensureBinary, startServer, type RunningServer } from "../support/processes";
import { startReceiver, waitFor, type Receiver } from "../support/webhook-receiver";
import { verifyWebhook } from "../../src/webhooks/webhook-signature";

const ADMIN = "webhooks-tab-admin-token-0123456789abcdef";
const SETUP_MS = 60_000;

let workDir: string;
let server: RunningServer;
let browser: HeadlessBrowser;
let page: Page;
let rx: Receiver;
let pageErrors: string[] = [];

beforeAll(async () => {
  requireChromium();
  const binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-hooks-browser-"));
  rx = startReceiver();
  server = await startServer([binary, "serve"], { cwd: workDir, env: { ...EMBEDDED_ENV, ADMIN_TOKEN: ADMIN, WEBHOOK_ALLOW_LOOPBACK: "true" } });
  browser = await launchBrowser();
  ({ page, pageErrors } = browser);
}, SETUP_MS);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rx?.stop();
  rmSync(workDir, { recursive: true, force: true });
}, SETUP_MS);

test("adds a webhook, shows its secret once, and lists its deliveries", async () => {
  await page.goto(`${server.base}/#webhooks`);
  // The server needs a key: the page asks for one before it shows any tab.
  await page.waitForSelector("#signin:not([hidden])");
  await page.fill("#signin-token", ADMIN);
  await page.click("#signin-submit");
  await page.waitForSelector("#panel-webhooks.is-active");
  await page.waitForSelector("#webhook-form");
  expect(await page.isVisible("#webhook-needs-key")).toBe(false);
  await page.fill("#webhook-url", rx.url);
  await page.click("#webhook-form button[type=submit]");
  await page.waitForSelector("#webhook-secret:not([hidden])");
  const secret = ((await page.textContent("#webhook-secret-value")) ?? "").trim();
  expect(secret).toMatch(/^whsec_/);
  await page.waitForSelector("#webhook-rows tr");
  expect(await page.textContent("#webhook-rows")).toContain(rx.url);

  const res = await fetch(`${server.base}/api/v1/links`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: `https://example.com/tab/${Date.now()}`, reuse: false }),
  });
  expect(res.status).toBe(201);
  await waitFor(() => rx.received.length >= 1, 10_000, "the delivery");
  const r = rx.received[0]!;
  expect(verifyWebhook(secret, { id: r.id, timestamp: r.timestamp, signature: r.signature }, r.body)).toBe(true);

  await page.click("#webhook-rows tr button:has-text('Deliveries')");
  await page.waitForSelector("#webhook-log-rows tr");
  const row = (await page.textContent("#webhook-log-rows tr")) ?? "";
  expect(row).toContain("link.created");
  expect(row).toContain("delivered");
  // The tab fits a 400 px wide screen, its tables included.
  await page.setViewportSize({ width: 400, height: 860 });
  await page.waitForTimeout(200);
  expect(await page.evaluate<number>("Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)")).toBe(0);
  expect(pageErrors).toEqual([]);
}, 60_000);
