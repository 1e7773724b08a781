/**
 * Two processes' realtime pipelines joined by an in-memory relay (what the supervisor and Redis do
 * for real; the e2e test covers those): each one's clients see both processes' events and a tick
 * with both processes' counts.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { InProcessEventBus, type LinkEvent } from "../../src/events";
import { RedirectStats } from "../../src/observability";
import { Realtime, type RelayMessage, type RelayTransport } from "../../src/realtime";
import type { ClientSocket } from "../../src/realtime/client-queue";
import type { ServerFrame, TickFrame } from "../../src/realtime/wire";

class MemoryRelay implements RelayTransport {
  readonly name: string;
  peers: MemoryRelay[] = [];
  private handlers: Array<(m: RelayMessage) => void> = [];
  sent = 0;
  constructor(name = "memory") {
    this.name = name;
  }
  send(m: RelayMessage): void {
    this.sent++;
    // a JSON round trip, as over IPC or Redis
    for (const p of this.peers) for (const h of p.handlers) h(JSON.parse(JSON.stringify(m)));
  }
  onMessage(h: (m: RelayMessage) => void): void {
    this.handlers.push(h);
  }
  stats() {
    return { sent: this.sent, received: 0, errors: 0 };
  }
  async close() {}
}

class Socket implements ClientSocket {
  readyState = 1;
  frames: ServerFrame[] = [];
  send(data: string): number {
    this.frames.push(JSON.parse(data));
    return data.length;
  }
  getBufferedAmount(): number {
    return 0;
  }
  of<K extends ServerFrame["kind"]>(kind: K): Extract<ServerFrame, { kind: K }>[] {
    return this.frames.filter((f) => f.kind === kind) as Extract<ServerFrame, { kind: K }>[];
  }
}

let clock = 1_000_000;
const started: Realtime[] = [];
afterEach(async () => {
  for (const r of started.splice(0)) await r.close();
});

function processNamed(node: string, relays: RelayTransport[]) {
  const bus = new InProcessEventBus();
  const redirects = new RedirectStats();
  const realtime = new Realtime({
    nodeName: node,
    instance: node.split(".")[0]!,
    bus,
    redirects,
    apiRequests: () => 0,
    busStats: () => bus.stats(),
    shards: {
      shards: 1,
      shardOf: () => 0,
      readiness: async () => [{ name: "sqlite", kind: "sqlite", up: true, latencyMs: 0.1 }],
      isReady: () => true,
      countLinks: async () => 3,
      newestCodes: async () => ["abc1234"],
    },
    relays,
    now: () => clock,
  });
  started.push(realtime);
  return { bus, redirects, realtime };
}

function click(node: string, code: string, i: number): LinkEvent {
  return {
    event_id: `${node}-${i}`,
    type: "read",
    status: "OK",
    node,
    redis: null,
    db: null,
    short_code: code,
    latency_ms: 0.02,
    ts: clock,
    cache: "HIT",
    source: "l1",
    visitor: "secret",
  };
}

/** Runs both pipelines' windows for `ms` of simulated time. */
async function advance(ms: number, ...rs: Realtime[]) {
  for (let t = 0; t < ms; t += 100) {
    clock += 100;
    for (const r of rs) r.step();
    await Bun.sleep(0);
  }
}

describe("Realtime across two processes", () => {
  test("each client gets both processes' events, cache metrics on reads, and ticks with both counts", async () => {
    const ra = new MemoryRelay();
    const rb = new MemoryRelay();
    ra.peers = [rb];
    rb.peers = [ra];
    const a = processNamed("h#0.0", [ra]);
    const b = processNamed("h#0.1", [rb]);
    const client = new Socket();
    a.realtime.hub.open(client, () => a.realtime.snapshot());
    expect(client.frames[0]!.kind).toBe("snapshot");

    for (let i = 0; i < 5; i++) {
      a.bus.publish("link.clicked", click("h#0.0", "aaaaaaa", i));
      b.bus.publish("link.clicked", click("h#0.1", "bbbbbbb", i));
      a.redirects.record("redirect", true, 0.02);
      b.redirects.record("redirect", false, 0.3);
    }
    await a.bus.flush();
    await b.bus.flush();
    await advance(3_000, a.realtime, b.realtime);

    const events = client.of("events").flatMap((f) => f.events);
    expect(new Set(events.map((e) => e.node))).toEqual(new Set(["h#0.0", "h#0.1"]));
    for (const e of events) {
      expect(e).not.toHaveProperty("visitor");
      expect(e.cache_metrics).toBeDefined();
    }
    const ticks = client.of("tick") as TickFrame[];
    const requests = ticks.reduce((sum, f) => sum + f.tick.requests, 0);
    expect(requests).toBe(10);
    const last = ticks[ticks.length - 1]!;
    expect(last.cache_metrics).toMatchObject({ hits: 5, misses: 5, total: 10, hit_rate: 0.5, miss_rate: 0.5 });
    expect(last.nodes.map((n) => n.node)).toEqual(["h#0.0", "h#0.1"]);
    expect(last.totals).toMatchObject({ requests: 10, processes: 2, instances: 1 });

    const late = new Socket();
    b.realtime.hub.open(late, () => b.realtime.snapshot());
    const snapshot = late.of("snapshot")[0]!;
    expect(snapshot.events.length).toBe(10);
    expect(snapshot.history.length).toBeGreaterThan(0);
    expect(snapshot.cache_metrics.total).toBe(10);
  });

  test("a message that arrives over two transports is taken once", async () => {
    const ipcA = new MemoryRelay("ipc");
    const ipcB = new MemoryRelay("ipc");
    const redisA = new MemoryRelay("redis");
    const redisB = new MemoryRelay("redis");
    ipcA.peers = [ipcB];
    ipcB.peers = [ipcA];
    redisA.peers = [redisB];
    redisB.peers = [redisA];
    const a = processNamed("h#0.0", [ipcA, redisA]);
    const b = processNamed("h#0.1", [ipcB, redisB]);
    const client = new Socket();
    b.realtime.hub.open(client, () => b.realtime.snapshot());
    a.bus.publish("link.clicked", click("h#0.0", "aaaaaaa", 1));
    await a.bus.flush();
    await advance(1_500, a.realtime, b.realtime);
    const ids = client.of("events").flatMap((f) => f.events.map((e) => e.event_id));
    expect(ids).toEqual(["h#0.0-1"]);
    expect(b.realtime.stats().duplicates).toBeGreaterThan(0);
  });

  test("under a flood each client receives about 50 events a second, and the tick says how many there were", async () => {
    const a = processNamed("h#0.0", []);
    const client = new Socket();
    a.realtime.hub.open(client, () => a.realtime.snapshot());
    await advance(1_000, a.realtime); // settle into the second boundary
    client.frames.length = 0;
    for (let window = 0; window < 30; window++) {
      for (let i = 0; i < 2_000; i++) a.bus.publish("link.clicked", click("h#0.0", "aaaaaaa", window * 2_000 + i));
      await a.bus.flush();
      await advance(100, a.realtime);
    }
    const shown = client.of("events").reduce((n, f) => n + f.events.length, 0);
    expect(shown).toBeLessThanOrEqual(3 * 50 + 25);
    const seen = (client.of("tick") as TickFrame[]).reduce((n, f) => n + f.tick.events_seen, 0);
    expect(seen).toBeGreaterThan(40_000);
  });
});
