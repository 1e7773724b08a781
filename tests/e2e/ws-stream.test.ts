/**
 * GET /ws on the compiled binary with two processes: one client, connected to one of them, receives
 * the write and read events of both (relayed by the supervisor), with every field the event schema
 * requires, plus per-second ticks and a snapshot that covers the whole instance.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientEvent, ServerFrame, SnapshotFrame, TickFrame } from "../../src/realtime/wire";
import { EMBEDDED_ENV, ensureBinary, startServer, type RunningServer } from "../support/processes";

/** bun test 1.4.4 applies its 5 s default despite bunfig's timeout: every hook and test states its budget. */
const SETUP_MS = 60_000;
const TEST_MS = 60_000;

let workDir: string;
let server: RunningServer;

beforeAll(async () => {
  const binary = await ensureBinary();
  workDir = mkdtempSync(join(tmpdir(), "ringlink-ws-"));
  server = await startServer([binary, "serve", "--processes", "2"], { cwd: workDir, env: EMBEDDED_ENV }); // embedded on purpose: `bun run test` exports the cluster to every suite
}, SETUP_MS);

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  rmSync(workDir, { recursive: true, force: true });
}, SETUP_MS);

/** A WebSocket client that keeps every frame and can wait for one that matches. */
class StreamClient {
  readonly frames: ServerFrame[] = [];
  private readonly ws: WebSocket;
  private waiters: Array<() => void> = [];
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = (e) => reject(new Error(`websocket error: ${String((e as ErrorEvent).message ?? e.type)}`));
    });
    this.ws.onmessage = (e) => {
      this.frames.push(JSON.parse(String(e.data)) as ServerFrame);
      for (const w of this.waiters.splice(0)) w();
    };
  }

  events(): ClientEvent[] {
    return this.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
  }

  ticks(): TickFrame[] {
    return this.frames.filter((f): f is TickFrame => f.kind === "tick");
  }

  async until<T>(find: () => T | undefined | false, timeoutMs = 10_000, what = "a frame"): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frames: ${JSON.stringify(this.frames.slice(-3)).slice(0, 1500)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** A fresh connection per request, so the kernel's reusePort hashing spreads them over both processes. */
function fresh(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, keepalive: false, headers: { connection: "close", ...(init.headers ?? {}) } });
}

function expectWriteEvent(e: ClientEvent) {
  expect(typeof e.event_id).toBe("string");
  expect(e.type).toBe("write");
  expect(e.status).toBe("OK");
  expect(e.node).toMatch(/#0\.[01]$/);
  expect(e).toHaveProperty("redis");
  expect(typeof e.db).toBe("string");
  expect(e.short_code).toMatch(/^[A-Za-z0-9_-]{3,64}$/);
  expect(typeof e.latency_ms).toBe("number");
  expect(typeof e.ts).toBe("number");
  expect(typeof e.url).toBe("string");
}

function expectReadEvent(e: ClientEvent) {
  expect(typeof e.event_id).toBe("string");
  expect(e.type).toBe("read");
  expect(["OK", "NOT_FOUND", "ERROR"]).toContain(e.status);
  expect(e.node).toMatch(/#0\.[01]$/);
  expect(e).toHaveProperty("redis");
  expect(e).toHaveProperty("db");
  expect(typeof e.short_code).toBe("string");
  expect(typeof e.latency_ms).toBe("number");
  expect(typeof e.ts).toBe("number");
  expect(["HIT", "MISS"]).toContain(e.cache!);
  expect(["l1", "redis", "replica", "primary", "none", "error"]).toContain(e.source!);
  expect(e).not.toHaveProperty("visitor");
  const m = e.cache_metrics!;
  expect(m.total).toBe(m.hits + m.misses);
  expect(m.hit_rate === null || (m.hit_rate >= 0 && m.hit_rate <= 1)).toBe(true);
}

describe("GET /ws with two processes", () => {
  test("a plain GET is told to upgrade", async () => {
    const res = await fetch(`${server.base}/ws`);
    expect(res.status).toBe(426);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upgrade_required");
  });

  test(
    "one client receives write and read events from both processes, with every required field",
    async () => {
      const client = new StreamClient(`${server.base.replace("http", "ws")}/ws`);
      await client.opened;
      const snapshot = (await client.until(() => client.frames.find((f) => f.kind === "snapshot"), 5_000, "the snapshot")) as SnapshotFrame;
      expect(snapshot.v).toBe(1);
      expect(snapshot.events_per_second).toBe(50);
      // Both processes report once a second; wait until the client's process hears from both.
      await client.until(() => client.ticks().some((t) => t.nodes.filter((n) => n.status === "live").length === 2), 15_000, "both processes in a tick");

      const createdCodes = new Set<string>();
      const writers = () =>
        new Set(
          client
            .events()
            .filter((e) => e.type === "write")
            .map((e) => e.node),
        );
      const readers = () =>
        new Set(
          client
            .events()
            .filter((e) => e.type === "read")
            .map((e) => e.node),
        );
      for (let i = 0; i < 200 && (writers().size < 2 || readers().size < 2); i++) {
        const res = await fresh(`${server.base}/api/v1/links`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ url: `https://example.com/ws/${i}` }),
        });
        expect(res.status).toBe(201);
        const { code } = (await res.json()) as { code: string };
        const hop = await fresh(`${server.base}/${code}`, { redirect: "manual" });
        expect(hop.status).toBe(302);
        createdCodes.add(code);
        if (i % 10 === 9) await Bun.sleep(300); // let the relay's windows pass
      }
      await client.until(() => writers().size === 2 && readers().size === 2, 10_000, "write and read events from both processes");

      const events = client.events();
      for (const e of events.filter((x) => x.type === "write")) expectWriteEvent(e);
      for (const e of events.filter((x) => x.type === "read")) expectReadEvent(e);
      expect(events.some((e) => createdCodes.has(e.short_code))).toBe(true);
      expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length); // nothing delivered twice

      // Ticks carry the cluster's counters: both processes' redirects and creates.
      const tick = await client.until(
        () => client.ticks().find((t) => t.totals.requests > 0 && t.totals.writes > 0 && t.totals.processes === 2),
        5_000,
        "totals from both processes",
      );
      expect(tick.cache_metrics.total).toBe(tick.cache_metrics.hits + tick.cache_metrics.misses);
      expect(tick.nodes.map((n) => n.node).sort()).toEqual([expect.stringMatching(/#0\.0$/), expect.stringMatching(/#0\.1$/)]);
      client.close();

      // A client that connects now starts from a snapshot with the last events and both processes.
      const late = new StreamClient(`${server.base.replace("http", "ws")}/ws`);
      await late.opened;
      const snap = (await late.until(() => late.frames.find((f) => f.kind === "snapshot"), 5_000, "the snapshot")) as SnapshotFrame;
      expect(snap.events.length).toBeGreaterThan(0);
      expect(snap.events.length).toBeLessThanOrEqual(50);
      expect(new Set(snap.events.map((e) => e.node)).size).toBe(2);
      expect(snap.nodes.length).toBe(2);
      expect(snap.totals.writes).toBeGreaterThan(0);
      expect(snap.cache_metrics.total).toBeGreaterThan(0);
      expect(snap.shards.shards[0]!.nodes[0]!.kind).toBe("sqlite");
      late.close();
    },
    TEST_MS,
  );

  test(
    "/metrics shows the dashboard clients and cache ratios of the whole instance",
    async () => {
      const client = new StreamClient(`${server.base.replace("http", "ws")}/ws`);
      await client.opened;
      await client.until(() => client.frames.length > 0, 5_000, "the snapshot");
      const text = await (await fetch(`${server.base}/metrics`)).text();
      expect(text).toMatch(/^ringlink_ws_clients [1-9]/m);
      expect(text).toMatch(/^ringlink_cache_hit_ratio\{scope="instance"\} [0-9.]+$/m);
      expect(text).toMatch(/^ringlink_realtime_relay_messages_total\{transport="ipc",result="received"\} [1-9]/m);
      client.close();
    },
    TEST_MS,
  );
});
