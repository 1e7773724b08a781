/** The compiled binary, run from an unrelated directory, does the whole job on its own. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMBEDDED_ENV, ensureBinary, startServer } from "../support/processes";

let workDir: string;
let binary: string;

beforeAll(async () => {
  binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-e2e-"));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("dist/ringlink", () => {
  test("--version and --help answer without any configuration", () => {
    const version = Bun.spawnSync([binary, "--version"], { cwd: workDir });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.toString()).toMatch(/^ringlink \d+\.\d+\.\d+ \(bun 1\.4\.\d+\)/);
    const help = Bun.spawnSync([binary, "--help"], { cwd: workDir });
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("ringlink serve");
  });

  test("a bad setting stops start-up with one line naming it", () => {
    const run = Bun.spawnSync([binary, "serve"], { cwd: workDir, env: { ...process.env, ...EMBEDDED_ENV, PORT: "http" } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString().trim()).toMatch(/^ringlink: invalid configuration: PORT: .*$/);
  });

  test("an ADMIN_TOKEN shorter than 32 characters stops start-up with one line that does not echo it", () => {
    const run = Bun.spawnSync([binary, "serve"], { cwd: workDir, env: { ...process.env, ...EMBEDDED_ENV, ADMIN_TOKEN: "hunter2" } });
    expect(run.exitCode).toBe(1);
    const stderr = run.stderr.toString().trim();
    expect(stderr).toMatch(/^ringlink: invalid configuration: ADMIN_TOKEN: must be at least 32 characters long \(got 7\)[^\n]*$/);
    expect(stderr).not.toContain("hunter2");
  });

  test("an unknown command or option is a usage error", () => {
    expect(Bun.spawnSync([binary, "frobnicate"], { cwd: workDir }).exitCode).toBe(2);
    expect(Bun.spawnSync([binary, "serve", "--colour"], { cwd: workDir }).exitCode).toBe(2);
  });

  test("serves the dashboard, creates, resolves and deletes a link, then drains on SIGTERM", async () => {
    const server = await startServer([binary, "serve"], { cwd: workDir, env: { ...EMBEDDED_ENV, ADMIN_TOKEN: "e2e-admin-token-0123456789abcdef0123" } });
    try {
      const home = await fetch(`${server.base}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain("ringlink");
      expect((await fetch(`${server.base}/assets/app.js`)).status).toBe(200);

      const created = await fetch(`${server.base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "https://example.com/e2e" }),
      });
      expect(created.status).toBe(201);
      const link = (await created.json()) as { code: string; shortUrl: string };

      const hop = await fetch(`${server.base}/${link.code}`, { redirect: "manual" });
      expect(hop.status).toBe(302);
      expect(hop.headers.get("location")).toBe("https://example.com/e2e");

      const del = await fetch(`${server.base}/api/v1/links/${link.code}`, {
        method: "DELETE",
        headers: { authorization: "Bearer e2e-admin-token-0123456789abcdef0123" },
      });
      expect(del.status).toBe(204);
      expect((await fetch(`${server.base}/${link.code}`, { redirect: "manual" })).status).toBe(410);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(existsSync(join(workDir, "data/ringlink.sqlite"))).toBe(true);
  });

  test("the binary enforces query bounds (limit=1000000 is 400, not every link) and draws QR codes and stats on its threads", async () => {
    const server = await startServer([binary, "serve"], { cwd: workDir, env: { ...EMBEDDED_ENV, DATA_DIR: join(workDir, "bounds") } });
    try {
      const created = await fetch(`${server.base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "https://example.com/bounds" }),
      });
      const { code } = (await created.json()) as { code: string };
      for (const query of ["limit=1000000", "limit=-2", "limit=50.5", "limit=1e3", "cursor=99999999999999999999"]) {
        const res = await fetch(`${server.base}/api/v1/links?${query}`);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
      }
      expect((await fetch(`${server.base}/api/v1/links/${code}/stats?top=1000000`)).status).toBe(400);
      const png = await fetch(`${server.base}/api/v1/links/${code}/qr?format=png&size=2048`);
      expect(png.status).toBe(200);
      const bytes = new Uint8Array(await png.arrayBuffer());
      expect(new DataView(bytes.buffer).getUint32(16)).toBe(2048); // IHDR width
      expect((await fetch(`${server.base}/api/v1/links/${code}/qr?size=4096`)).status).toBe(400);
      const stats = await fetch(`${server.base}/api/v1/links/${code}/stats?interval=day`);
      expect(stats.status).toBe(200);
      expect(((await stats.json()) as { totals: { clicks: number } }).totals.clicks).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).not.toContain("warning");
  });

  test("knows a visitor's country from the IP-to-country data embedded in the binary", async () => {
    // The server trusts the loopback peer as a proxy, so X-Forwarded-For names the visitor: only a
    // header value, no request goes to that address.
    const server = await startServer([binary, "serve"], {
      cwd: workDir,
      env: { ...EMBEDDED_ENV, DATA_DIR: join(workDir, "geo"), TRUSTED_PROXIES: "127.0.0.1,::1" },
    });
    try {
      const res = await fetch(`${server.base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "https://example.com/geo-binary" }),
      });
      const { code } = (await res.json()) as { code: string };
      const browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
      const visit = await fetch(`${server.base}/${code}`, { redirect: "manual", headers: { "user-agent": browser, "x-forwarded-for": "193.0.6.139" } });
      expect(visit.status).toBe(302);
      let countries: unknown = null;
      for (let i = 0; i < 50; i++) {
        await Bun.sleep(100);
        const stats = (await (await fetch(`${server.base}/api/v1/links/${code}/stats?interval=day`)).json()) as { top: { countries: unknown[] } };
        if (stats.top.countries.length > 0) {
          countries = stats.top.countries;
          break;
        }
      }
      expect(countries).toEqual([{ value: "NL", clicks: 1 }]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("classifies links from the binary: the ONNX runtime and model load from beside it", async () => {
    const server = await startServer([binary, "serve"], { cwd: workDir, env: { ...EMBEDDED_ENV, DATA_DIR: join(workDir, "cls") } });
    try {
      const res = await fetch(`${server.base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "https://www.bbc.co.uk/news/world-europe-12345678" }),
      });
      const { code } = (await res.json()) as { code: string };
      let category: string | null = null;
      for (let i = 0; i < 100 && category === null; i++) {
        await Bun.sleep(100);
        category = ((await (await fetch(`${server.base}/api/v1/links/${code}`)).json()) as { category: string | null }).category;
      }
      expect(category).toBe("news");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("--processes 2 shares one port; a delete reaches the other process's cache; /metrics covers both", async () => {
    const server = await startServer([binary, "serve", "--processes", "2"], {
      cwd: workDir,
      env: { ...EMBEDDED_ENV, ADMIN_TOKEN: "e2e-admin-token-0123456789abcdef0123", DATA_DIR: join(workDir, "mp") },
    });
    try {
      const created = (await (
        await fetch(`${server.base}/api/v1/links`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ url: "https://example.com/two-procs" }),
        })
      ).json()) as { code: string };
      // New connections spread over both processes; warm both caches.
      const warm = await Promise.all(
        Array.from({ length: 40 }, () => fetch(`${server.base}/${created.code}`, { redirect: "manual", headers: { connection: "close" } })),
      );
      expect(warm.every((r) => r.status === 302)).toBe(true);
      const del = await fetch(`${server.base}/api/v1/links/${created.code}`, {
        method: "DELETE",
        headers: { authorization: "Bearer e2e-admin-token-0123456789abcdef0123" },
      });
      expect(del.status).toBe(204);
      await Bun.sleep(200);
      const after = await Promise.all(
        Array.from({ length: 40 }, () => fetch(`${server.base}/${created.code}`, { redirect: "manual", headers: { connection: "close" } })),
      );
      expect(after.map((r) => r.status)).toEqual(Array(40).fill(410));

      // Whichever process answers the scrape reports the whole instance: 40 redirects and 40 gone.
      for (let i = 0; i < 4; i++) {
        const text = await (await fetch(`${server.base}/metrics`, { headers: { connection: "close" } })).text();
        expect(text).toContain('ringlink_redirects_total{outcome="redirect"} 40');
        expect(text).toContain('ringlink_redirects_total{outcome="gone"} 40');
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
