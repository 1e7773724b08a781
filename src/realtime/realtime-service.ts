/**
 * The realtime pipeline of one process:
 *
 *   bus events ──> EventSampler (≤ 50/s) ─┐                 ┌─> FairPicker (≤ 50/s) ─> WsHub ─> clients
 *                                         ├─> RelayMessage ─┤
 *   counters ──> ProcessReporter (1/s) ───┘   (IPC, Redis)  └─> ClusterView ─> tick (1/s) ─> WsHub
 *
 * Every process samples its own events and reports its own second; the relay carries both to every
 * other process (and instance), and every process assembles the same cluster-wide view for its own
 * WebSocket clients. What crosses processes is bounded (about 10 messages and 50 events a second per
 * process) whatever the request rate, so the page stays live at 50k req/s without costing the
 * redirect path anything but the bus's own delivery.
 */
import { randomBytes } from "node:crypto";
import type { EventBus, EventBusStats, LinkEvent } from "../events";
import type { RedirectStats } from "../observability";
import { ClusterView } from "./cluster-view";
import { EventSampler } from "./event-sampler";
import { FairPicker } from "./fair-picker";
import { ProcessReporter } from "./process-reporter";
import { SeenMessages, type RelayTransport, type RelayTransportStats } from "./relay";
import { ShardMonitor, type ShardMonitorDeps } from "./shard-monitor";
import { WsHub, type WsHubOptions, type WsHubStats } from "./ws-hub";
import {
  CLIENT_EVENTS_PER_SECOND,
  SNAPSHOT_EVENTS,
  WIRE_VERSION,
  type CacheMetrics,
  type ClientEvent,
  type RelayMessage,
  type SnapshotFrame,
  type Tick,
} from "./wire";

/** One window of sampling and picking; ten a second. */
export const WINDOW_MS = 100;
/** Ticks close this long after each wall-clock second, leaving time for the reports to arrive. */
export const TICK_DELAY_MS = 500;
const HEALTH_EVERY_MS = 5_000;
const KEYS_EVERY_MS = 15_000;

export interface RealtimeDeps {
  /** this process, e.g. "host#0.1" */
  nodeName: string;
  /** this instance, e.g. "host#0": processes of one instance share it */
  instance: string;
  bus: EventBus;
  redirects: RedirectStats;
  apiRequests(): number;
  busStats(): Pick<EventBusStats, "published" | "dropped">;
  shards: ShardMonitorDeps;
  relays: RelayTransport[];
  eventsPerSecond?: number;
  hub?: WsHubOptions;
  now?: () => number;
}

export interface RealtimeStats {
  hub: WsHubStats;
  relays: Array<RelayTransportStats & { name: string }>;
  duplicates: number;
  /** this process's events: offered to the sampler, and sent on in the sample */
  eventsSeen: number;
  eventsSampled: number;
  /** events sent to this process's clients, from every origin */
  eventsShown: number;
  peers: number;
  cache: { instance: CacheMetrics; cluster: CacheMetrics };
}

/** A visitor hash counts unique visitors; it has no business on a page anyone can open. */
function forClients(e: LinkEvent): ClientEvent {
  const { visitor: _visitor, ...rest } = e;
  return rest;
}

export class Realtime {
  readonly hub: WsHub;
  readonly view: ClusterView;
  readonly origin: string;
  private readonly now: () => number;
  private readonly sampler: EventSampler<LinkEvent>;
  private readonly picker: FairPicker;
  private readonly reporter: ProcessReporter;
  private readonly monitor: ShardMonitor;
  private readonly seen = new SeenMessages();
  private readonly recent: ClientEvent[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private seq = 0;
  private writes = 0;
  private reads = 0;
  private unsentSeen = 0;
  private reportedSecond = -1;
  private tickedSecond = -1;
  private lastHealth = -Infinity;
  private lastKeys = -Infinity;
  private counters = { duplicates: 0, eventsSampled: 0, eventsShown: 0 };

  constructor(private readonly deps: RealtimeDeps) {
    this.now = deps.now ?? Date.now;
    const perSecond = deps.eventsPerSecond ?? CLIENT_EVENTS_PER_SECOND;
    this.origin = `${deps.nodeName}/${randomBytes(4).toString("hex")}`;
    this.hub = new WsHub(deps.hub);
    this.view = new ClusterView(this.now);
    this.sampler = new EventSampler<LinkEvent>(perSecond, WINDOW_MS);
    this.picker = new FairPicker(perSecond, WINDOW_MS);
    this.monitor = new ShardMonitor(deps.shards);
    this.reporter = new ProcessReporter(
      {
        node: deps.nodeName,
        instance: deps.instance,
        startedAt: this.now(),
        redirects: deps.redirects,
        apiRequests: deps.apiRequests,
        writes: () => this.writes,
        reads: () => this.reads,
        bus: deps.busStats,
        health: () => this.monitor.health(),
        wsClients: () => this.hub.size,
      },
      this.now,
    );
    const tap = (events: readonly LinkEvent[]) => {
      for (const e of events) {
        if (e.type === "write") this.writes++;
        else this.reads++;
        this.sampler.offer(e);
      }
    };
    this.unsubscribe.push(deps.bus.subscribe("link.created", tap), deps.bus.subscribe("link.clicked", tap));
    for (const relay of deps.relays) relay.onMessage((m) => this.receive(m));
  }

  /** Starts the window timer (unref'd: it never keeps a process alive on its own). */
  start(): this {
    if (this.timer) return this;
    void this.monitor.refreshHealth();
    this.timer = setInterval(() => this.step(), WINDOW_MS);
    this.timer.unref?.();
    return this;
  }

  /** One window: publish this process's sample (and report, once a second), pick for clients, tick. */
  step(): void {
    const now = this.now();
    const second = Math.floor(now / 1000);
    this.publishOwn(second);
    this.deliverPicked();
    if (now % 1000 >= TICK_DELAY_MS && second !== this.tickedSecond && this.reportedSecond === second) {
      this.tickedSecond = second;
      this.broadcastTick((second - 1) * 1000);
    }
    if (now - this.lastHealth >= HEALTH_EVERY_MS) {
      this.lastHealth = now;
      void this.monitor.refreshHealth();
      // The store's link count is for the dashboard's links tile: counted only while someone watches.
      if (this.hub.size > 0) void this.monitor.refreshTotal();
    }
    if (this.hub.size > 0 && now - this.lastKeys >= (this.monitor.hasSample() ? KEYS_EVERY_MS : HEALTH_EVERY_MS)) {
      this.lastKeys = now;
      void this.monitor.refreshKeys();
    }
  }

  private publishOwn(second: number): void {
    const { events, seen } = this.sampler.flush();
    this.unsentSeen += seen;
    const report = second !== this.reportedSecond ? this.reporter.next() : undefined;
    if (report) this.reportedSecond = second;
    if (events.length === 0 && !report) return;
    const message: RelayMessage = { kind: "realtime", origin: this.origin, seq: this.seq++, events: events.map(forClients), seen: this.unsentSeen, report };
    this.unsentSeen = 0;
    this.counters.eventsSampled += events.length;
    this.accept(message);
    for (const relay of this.deps.relays) relay.send(message);
  }

  /** A message from another process or instance. */
  receive(message: RelayMessage): void {
    if (message.origin === this.origin) return;
    if (!this.seen.firstTime(message.origin, message.seq)) {
      this.counters.duplicates++;
      return;
    }
    this.accept(message);
  }

  private accept(message: RelayMessage): void {
    this.picker.add(message.origin, message.events);
    this.view.countEvents(message.seen, 0);
    if (message.report) this.view.ingest(message.origin, message.report);
  }

  private deliverPicked(): void {
    const { events } = this.picker.pick();
    if (events.length === 0) return;
    const cache = this.view.cacheMetrics();
    const decorated = events.map((e) => (e.type === "read" ? { ...e, cache_metrics: cache } : e));
    this.view.countEvents(0, decorated.length);
    this.counters.eventsShown += decorated.length;
    for (const e of decorated) this.recent.push(e);
    if (this.recent.length > SNAPSHOT_EVENTS) this.recent.splice(0, this.recent.length - SNAPSHOT_EVENTS);
    this.hub.broadcast({ kind: "events", events: decorated });
  }

  private broadcastTick(second: number): Tick {
    const tick = this.view.tick(second);
    this.hub.broadcast({
      kind: "tick",
      tick,
      totals: this.view.totals(),
      cache_metrics: this.view.cacheMetrics(),
      nodes: this.view.nodes(),
      shards: this.monitor.takeChanged(),
    });
    this.hub.reportDrops();
    return tick;
  }

  /** What a client receives first: the cluster right now, the last events, the last two minutes. */
  snapshot(): SnapshotFrame {
    return {
      kind: "snapshot",
      v: WIRE_VERSION,
      server_time: this.now(),
      node: this.deps.nodeName,
      events_per_second: this.deps.eventsPerSecond ?? CLIENT_EVENTS_PER_SECOND,
      totals: this.view.totals(),
      cache_metrics: this.view.cacheMetrics(),
      nodes: this.view.nodes(),
      shards: this.monitor.view(),
      events: [...this.recent],
      history: this.view.history(),
    };
  }

  /** Called when a client connects: the key distribution is sampled lazily, only for an audience. */
  watched(): void {
    const now = this.now();
    void this.monitor.refreshTotal();
    if (now - this.lastKeys >= (this.monitor.hasSample() ? KEYS_EVERY_MS : HEALTH_EVERY_MS)) {
      this.lastKeys = now;
      void this.monitor.refreshKeys();
    }
  }

  stats(): RealtimeStats {
    return {
      hub: this.hub.stats(),
      relays: this.deps.relays.map((r) => ({ name: r.name, ...r.stats() })),
      duplicates: this.counters.duplicates,
      eventsSeen: this.writes + this.reads,
      eventsSampled: this.counters.eventsSampled,
      eventsShown: this.counters.eventsShown,
      peers: this.view.liveOrigins(),
      cache: { instance: this.view.cacheMetrics(this.deps.instance), cluster: this.view.cacheMetrics() },
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe) off();
    await Promise.all(this.deps.relays.map((r) => r.close()));
  }
}
