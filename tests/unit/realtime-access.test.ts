/**
 * Who may watch GET /ws, and what each watcher sees, on a real server in this process (embedded
 * mode): credentials once any exist (Authorization or the `ringlink.bearer.<token>` subprotocol,
 * answered with `ringlink.v1`), the Origin always, private targets and process ids for admins
 * only, and click fields reduced (referrer origin, two-letter country, bounded user agent).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app";
import { loadConfig, type Env } from "../../src/config";
import type { ClientEvent, ServerFrame, SnapshotFrame, TickFrame } from "../../src/realtime/wire";
import { createRuntime, type Runtime } from "../../src/runtime";
import { startHttpServer } from "../../src/server/http-server";

const TEST_MS = 30_000;
const UPGRADE = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };

interface Running {
  runtime: Runtime;
  server: Server<unknown>;
  dataDir: string;
  host: string;
  close(): Promise<void>;
}

async function start(env: Env): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), "ringlink-ws-access-"));
  const runtime = await createRuntime(loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off", RATE_LIMIT_CREATE: "off", CLASSIFY_LINKS: "false", ...env }));
  runtime.realtime.start();
  const server = startHttpServer(buildApp(runtime), runtime, { port: 0, hostname: "127.0.0.1", reusePort: false });
  return {
    runtime,
    server,
    dataDir,
    host: `127.0.0.1:${server.port}`,
    async close() {
      server.stop(true);
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The handshake as a plain request: a refusal answers with the JSON error envelope. */
async function handshake(at: Running, headers: Record<string, string>): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(`http://${at.host}/ws`, { headers: { ...UPGRADE, ...headers } });
  const text = await res.text();
  return { status: res.status, code: res.status === 101 ? undefined : JSON.parse(text).error.code };
}

class Watcher {
  readonly frames: ServerFrame[] = [];
  readonly texts: string[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(at: Running, init: { headers?: Record<string, string>; protocols?: string[] } = {}) {
    this.ws = new WebSocket(`ws://${at.host}/ws`, init);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("websocket refused"));
    });
    this.ws.onmessage = (e) => {
      this.texts.push(String(e.data));
      this.frames.push(JSON.parse(String(e.data)) as ServerFrame);
    };
  }

  events(): ClientEvent[] {
    return this.frames.flatMap((f) => (f.kind === "events" ? f.events : f.kind === "snapshot" ? f.events : []));
  }

  async until<T>(find: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frames: ${this.texts.slice(-2).join("\n").slice(0, 1500)}`);
      await Bun.sleep(50);
    }
  }

  close(): void {
    this.ws.close();
  }
}

async function createLink(at: Running, body: Record<string, unknown>, token?: string): Promise<string> {
  const res = await fetch(`http://${at.host}/api/v1/links`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { code: string }).code;
}

const writeOf = (w: Watcher, code: string) => w.events().find((e) => e.type === "write" && e.short_code === code);

describe("with an ADMIN_TOKEN and keys", () => {
  const ADMIN = "ws-access-admin-token-0123456789abcdef";
  let at: Running;
  let watcherKey: string; // create + stats: a viewer that owns links
  let creatorOnly: string;

  beforeAll(async () => {
    at = await start({ ADMIN_TOKEN: ADMIN, WS_ALLOWED_ORIGINS: "https://ops.example" });
    watcherKey = (await at.runtime.management.keys.create({ name: "watcher", scopes: "create,stats" })).token;
    creatorOnly = (await at.runtime.management.keys.create({ name: "creator", scopes: "create" })).token;
  });
  afterAll(() => at.close());

  test("the handshake needs credentials with the stats scope, from an allowed origin", async () => {
    expect(await handshake(at, {})).toEqual({ status: 401, code: "unauthorized" });
    expect(await handshake(at, { authorization: "Bearer rl_notakey_x" })).toEqual({ status: 403, code: "forbidden" });
    expect(await handshake(at, { authorization: `Bearer ${creatorOnly}` })).toEqual({ status: 403, code: "forbidden" });
    expect(await handshake(at, { "sec-websocket-protocol": `ringlink.v1, ringlink.bearer.${creatorOnly}` })).toEqual({ status: 403, code: "forbidden" });
    for (const origin of ["https://evil.example", "null", `http://${at.host}.evil.example`, "http://localhost:9"]) {
      expect({ origin, ...(await handshake(at, { origin, authorization: `Bearer ${ADMIN}` })) }).toEqual({ origin, status: 403, code: "origin_not_allowed" });
    }
  });

  test("a browser's token travels as a subprotocol; the answer names ringlink.v1, never the token", async () => {
    const w = new Watcher(at, { protocols: ["ringlink.v1", `ringlink.bearer.${watcherKey}`], headers: { origin: `http://${at.host}` } });
    await w.opened;
    expect(w.ws.protocol).toBe("ringlink.v1");
    await w.until(() => w.frames[0]?.kind === "snapshot", "the snapshot");
    w.close();
    // the configured origin and a header token work too
    const ops = new Watcher(at, { headers: { origin: "https://ops.example", authorization: `Bearer ${ADMIN}` } });
    await ops.opened;
    await ops.until(() => ops.frames[0]?.kind === "snapshot", "the snapshot");
    ops.close();
  });

  test(
    "targets of key-owned and password links, and process ids, reach admin watchers only",
    async () => {
      const viewer = new Watcher(at, { headers: { authorization: `Bearer ${watcherKey}` } });
      const admin = new Watcher(at, { protocols: ["ringlink.v1", `ringlink.bearer.${ADMIN}`] });
      await Promise.all([viewer.opened, admin.opened]);
      const publicCode = await createLink(at, { url: "https://stream.example/public" });
      const protectedCode = await createLink(at, { url: "https://stream.example/protected?token=pw-secret", password: "let-me-in" });
      const ownedCode = await createLink(at, { url: "https://stream.example/owned?token=key-secret" }, watcherKey);
      for (const w of [viewer, admin]) {
        await w.until(() => [publicCode, protectedCode, ownedCode].every((c) => writeOf(w, c)), "the three write events");
      }
      expect(writeOf(viewer, publicCode)!.url).toBe("https://stream.example/public");
      expect(writeOf(viewer, protectedCode)!.url).toBeUndefined();
      expect(writeOf(viewer, ownedCode)!.url).toBeUndefined();
      expect(viewer.texts.join("\n")).not.toContain("secret");
      expect(writeOf(admin, protectedCode)!.url).toBe("https://stream.example/protected?token=pw-secret");
      expect(writeOf(admin, ownedCode)!.url).toBe("https://stream.example/owned?token=key-secret");

      // Ticks name the processes: with their pid for the admin only.
      const tickOf = (w: Watcher) => w.until(() => w.frames.find((f): f is TickFrame => f.kind === "tick" && f.nodes.length > 0), "a tick with nodes");
      expect((await tickOf(admin)).nodes[0]!.pid).toBe(process.pid);
      expect((await tickOf(viewer)).nodes[0]).not.toHaveProperty("pid");

      // A late viewer's snapshot: the same rules, and no file system path for anyone.
      const late = new Watcher(at, { headers: { authorization: `Bearer ${watcherKey}` } });
      const lateAdmin = new Watcher(at, { headers: { authorization: `Bearer ${ADMIN}` } });
      const snapshot = (await late.until(() => late.frames[0], "the snapshot")) as SnapshotFrame;
      const adminSnapshot = (await lateAdmin.until(() => lateAdmin.frames[0], "the snapshot")) as SnapshotFrame;
      expect(snapshot.events.find((e) => e.short_code === protectedCode)?.url).toBeUndefined();
      expect(snapshot.nodes.every((n) => n.pid === undefined)).toBe(true);
      expect(adminSnapshot.nodes.every((n) => n.pid === process.pid)).toBe(true);
      for (const text of [late.texts[0]!, lateAdmin.texts[0]!]) expect(text).not.toContain(at.dataDir);
      expect(writeOf(admin, publicCode)!.db).toBe("sqlite");
      for (const w of [viewer, admin, late, lateAdmin]) w.close();
    },
    TEST_MS,
  );

  test(
    "click events carry the referrer's origin, a two-letter country or none, and a bounded user agent; so do the aggregates",
    async () => {
      const admin = new Watcher(at, { headers: { authorization: `Bearer ${ADMIN}` } });
      await admin.opened;
      const code = await createLink(at, { url: "https://stream.example/clicked" });
      const browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
      const visits: Array<Record<string, string>> = [
        { referer: "https://user:pw@News.Example:8443/item?id=1&session=ref-secret", "cf-ipcountry": "de" },
        { referer: "not a url", "x-country-code": "X".repeat(8_000) },
        { referer: "https://news.example/other", "x-country-code": "D1" },
      ];
      for (const headers of visits) {
        const res = await fetch(`http://${at.host}/${code}`, { redirect: "manual", headers: { "user-agent": `${browser} ${"p".repeat(2_000)}`, ...headers } });
        expect(res.status).toBe(302);
      }
      const reads = await admin.until(() => {
        const r = admin.events().filter((e) => e.type === "read" && e.short_code === code);
        return r.length === 3 && r;
      }, "three read events");
      expect(reads.map((e) => [e.referrer, e.country])).toEqual([
        ["https://news.example:8443", "DE"],
        [null, null],
        ["https://news.example", null],
      ]);
      for (const e of reads) expect(e.user_agent!.length).toBe(512);
      expect(admin.texts.join("\n")).not.toContain("ref-secret");

      await at.runtime.flushAnalytics();
      const stats = (await (await fetch(`http://${at.host}/api/v1/links/${code}/stats?interval=day`)).json()) as {
        top: { referrers: Array<{ value: string }>; countries: Array<{ value: string }> };
      };
      expect(stats.top.referrers.map((r) => r.value).sort()).toEqual(["(direct)", "news.example"]);
      expect(stats.top.countries.map((c) => c.value).sort()).toEqual(["(unknown)", "DE"]);
      admin.close();
    },
    TEST_MS,
  );
});

describe("without any credentials configured", () => {
  let at: Running;
  beforeAll(async () => {
    at = await start({});
  });
  afterAll(() => at.close());

  test(
    "anyone may watch from our own pages or without a browser, as a viewer; other origins may not",
    async () => {
      expect(await handshake(at, { origin: "https://evil.example" })).toEqual({ status: 403, code: "origin_not_allowed" });
      const page = new Watcher(at, { headers: { origin: `http://${at.host}` } });
      const tool = new Watcher(at);
      await Promise.all([page.opened, tool.opened]);
      const protectedCode = await createLink(at, { url: "https://stream.example/open-install?token=pw-secret", password: "let-me-in" });
      const publicCode = await createLink(at, { url: "https://stream.example/open-install" });
      for (const w of [page, tool]) await w.until(() => writeOf(w, protectedCode) && writeOf(w, publicCode), "the write events");
      expect(writeOf(page, publicCode)!.url).toBe("https://stream.example/open-install");
      expect(writeOf(page, protectedCode)!.url).toBeUndefined();
      const tick = await tool.until(() => tool.frames.find((f): f is TickFrame => f.kind === "tick" && f.nodes.length > 0), "a tick with nodes");
      expect(tick.nodes[0]).not.toHaveProperty("pid");
      page.close();
      tool.close();
    },
    TEST_MS,
  );
});
