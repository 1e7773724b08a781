/**
 * Headless Chromium for the browser tests (Debian's `chromium`, or CHROMIUM_PATH, driven by
 * playwright-core): a persistent context in a profile of its own, its first page, and every
 * uncaught page error and console error collected so a test can fail on them.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Nothing in the background reaches out (updates, sync, field trials): a test's only traffic is to its loopback server.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserOptions {
  /** flags after the common ones (--disable-quic, --host-resolver-rules=...) */
  extraArgs?: string[];
  acceptDownloads?: boolean;
}

export interface HeadlessBrowser {
  context: BrowserContext;
  page: Page;
  /** uncaught page errors and console errors, in order; a test may empty it */
  pageErrors: string[];
  /**
   * Waits until a page-side expression is true. Not page.waitForFunction: its polling evaluates the
   * expression with eval() inside the page, which the dashboard's policy (no 'unsafe-eval') refuses;
   * page.evaluate runs it through the DevTools protocol instead, outside the policy.
   */
  waitForPage(expression: string, timeoutMs: number): Promise<void>;
  /** closes the browser and removes its profile */
  close(): Promise<void>;
}

/** Fails at once, before a test starts servers, when there is no Chromium to drive. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<HeadlessBrowser> {
  requireChromium();
  const profileDir = mkdtempSync(join(tmpdir(), "ringlink-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
      args: [...ARGS, ...(options.extraArgs ?? [])],
      viewport: { width: 1280, height: 900 },
    });
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  return {
    context,
    page,
    pageErrors,
    async waitForPage(expression, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!(await page.evaluate<boolean>(expression))) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
        await Bun.sleep(100);
      }
    },
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
