/**
 * /docs in headless Chromium under its Content-Security-Policy: the token field and "Try it" send
 * real requests to the server (a create with the admin token answers 201, a list without it 401).
 * A screenshot goes to test-artifacts/docs-try-it.png. Needs Debian's `chromium` (or CHROMIUM_PATH).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser, requireChromium, type HeadlessBrowser } from "../support/browser";
import { EMBEDDED_ENV, ROOT, startServer, type RunningServer } from "../support/processes";

const ADMIN = "docs-browser-admin-token-0123456789abcdef";
const MS = 60_000;

let workDir: string;
let server: RunningServer;
let browser: HeadlessBrowser;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  requireChromium();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-docs-"));
  server = await startServer([process.execPath, join(ROOT, "src/main.ts"), "serve"], {
    cwd: workDir,
    env: { ...EMBEDDED_ENV, DATA_DIR: workDir, ADMIN_TOKEN: ADMIN },
  });
  browser = await launchBrowser();
  ({ page, pageErrors } = browser);
}, MS);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
}, MS);

/** The result line of an operation's Try it, once it has one. */
async function resultOf(opId: string): Promise<string> {
  const selector = `#${opId} .try__result .try__status`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = (await page.textContent(selector).catch(() => null)) ?? "";
    if (text !== "" && text !== "Sending…") return text;
    if (Date.now() > deadline) throw new Error(`no answer in ${selector}`);
    await Bun.sleep(100);
  }
}

test(
  "Try it sends the page's token: a create answers 201, a list without the token 401",
  async () => {
    await page.goto(`${server.base}/docs`);
    await page.waitForSelector("#op-get-api-v1-links .try__form", { state: "attached", timeout: 10_000 });

    // Without a token the list is refused, as the API says.
    await page.click("#op-get-api-v1-links > summary");
    await page.click('#op-get-api-v1-links .try__form button[type="submit"]');
    expect(await resultOf("op-get-api-v1-links")).toContain("401");

    await page.fill("#docs-token", ADMIN);
    await page.click('.docs-auth button[type="submit"]');
    expect(await page.textContent("#docs-token-state")).toContain("Token set");
    expect(await page.inputValue("#docs-token")).toBe(""); // not left in the field

    await page.click("#op-post-api-v1-links > summary");
    await page.fill("#op-post-api-v1-links .try__body", JSON.stringify({ url: "https://example.com/from-docs", alias: "from-docs" }));
    await page.click('#op-post-api-v1-links .try__form button[type="submit"]');
    expect(await resultOf("op-post-api-v1-links")).toContain("201");
    expect(await page.textContent("#op-post-api-v1-links .try__result pre")).toContain('"code": "from-docs"');

    await page.click('#op-get-api-v1-links .try__form button[type="submit"]');
    await Bun.sleep(200);
    expect(await resultOf("op-get-api-v1-links")).toContain("200");

    // A path parameter is filled into the path.
    await page.click("#op-get-api-v1-links-code > summary");
    await page.fill("#op-get-api-v1-links-code .try__form input[name=code]", "from-docs");
    await page.click('#op-get-api-v1-links-code .try__form button[type="submit"]');
    expect(await resultOf("op-get-api-v1-links-code")).toContain("200");

    mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
    await page.locator("#op-post-api-v1-links").screenshot({ path: join(ROOT, "test-artifacts/docs-try-it.png") });
    // the 401 asked for above is logged by Chromium; anything else (a CSP refusal, a script error) fails
    expect(pageErrors.filter((e) => !e.includes("status of 401"))).toEqual([]);
  },
  MS,
);
