/**
 * The instance's Prometheus metrics. Request-level metrics for the API go through prom-client;
 * hot-path counters and dependency state are read at scrape time. In multi-process mode each
 * process renders JSON and the supervisor merges them (see server/metrics-fanout.ts), so a scrape
 * of any process shows the whole instance.
 */
import { Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { EventBusStats } from "../events";
import { LATENCY_BOUNDS_MS, type RedirectStats } from "./redirect-stats";

/** Cache hits and misses as the live stream sees them (the realtime module's view of an instance or the cluster). */
export interface CacheView {
  hits: number;
  misses: number;
  hit_rate: number | null;
  miss_rate: number | null;
}

/** What /metrics reads from the live stream (src/realtime's `stats()` has this shape). */
export interface LiveStreamStats {
  hub: { clients: number; connections: number; refused: number; framesSent: number; framesDropped: number };
  relays: ReadonlyArray<{ name: string; sent: number; received: number; errors: number }>;
  duplicates: number;
  eventsSeen: number;
  eventsSampled: number;
  eventsShown: number;
  peers: number;
  cache: { instance: CacheView; cluster: CacheView };
}

export interface MetricSources {
  redirects: RedirectStats;
  events(): EventBusStats;
  dependencies(): Promise<Array<{ name: string; kind: string; shard?: number; up: boolean }>>;
  nodeStates?(): Array<{ name: string; kind: string; shard?: number; state: string; failures?: number }>;
  /** the shard map in use, a running move's progress and the last verify summary (distributed mode) */
  topology?(): {
    version: number;
    shards: number;
    moving: boolean;
    progress: { moved: number; total: number } | null;
    verify: { at: number; found: Record<string, number> } | null;
  } | null;
  /** the WebSocket hub and the cross-process relay (src/realtime) */
  realtime?(): LiveStreamStats;
}

type Values = Array<{ value: number; labels?: Record<string, string | number>; metricName?: string }>;

/** A metric whose values are computed at scrape time from numbers kept elsewhere. */
function external(
  name: string,
  help: string,
  type: "counter" | "gauge" | "histogram",
  read: () => Values | Promise<Values>,
  aggregator: "sum" | "max" | "average" = "sum",
) {
  return {
    name,
    help,
    type,
    aggregator,
    async get() {
      // The cluster aggregator hashes every value's labels, so each value needs a labels object.
      const values = (await read()).map((v) => ({ ...v, labels: v.labels ?? {} }));
      return { name, help, type, aggregator, values };
    },
    reset() {},
  };
}

const BREAKER_LEVEL: Record<string, number> = { closed: 0, "half-open": 1, open: 2 };

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<"route" | "method" | "status">;
  /** API requests served (a plain number: the realtime reporter reads its per-second delta) */
  apiRequests = 0;

  constructor(sources: MetricSources) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: "ringlink_" });
    this.httpDuration = new Histogram({
      name: "ringlink_http_request_duration_seconds",
      help: "API request duration by route template (redirects are in ringlink_redirect_duration_seconds)",
      labelNames: ["route", "method", "status"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    const s = sources.redirects;
    const reg = (m: ReturnType<typeof external>) => r.registerMetric(m as never);
    reg(
      external("ringlink_redirects_total", "Redirect requests by outcome", "counter", () =>
        Object.entries(s.outcomes).map(([outcome, value]) => ({ value, labels: { outcome } })),
      ),
    );
    reg(external("ringlink_cache_hits_total", "Redirect lookups answered by a cache (L1 or Redis)", "counter", () => [{ value: s.cacheHits }]));
    reg(external("ringlink_cache_misses_total", "Redirect lookups that reached the database", "counter", () => [{ value: s.cacheMisses }]));
    reg(external("ringlink_cache_lookups_total", "Redirect lookups (hits + misses)", "counter", () => [{ value: s.cacheHits + s.cacheMisses }]));
    // Ratios cannot be summed across processes, so each process reports the instance's (and the
    // cluster's) ratio as its realtime relay sees them, and the merge averages the near-equal views.
    const ratios = (pick: "hit_rate" | "miss_rate"): Values => {
      const live = sources.realtime?.().cache;
      const own = s.cacheHits + s.cacheMisses;
      const ownRatio = own === 0 ? null : (pick === "hit_rate" ? s.cacheHits : s.cacheMisses) / own;
      const values: Values = [];
      const instance = live ? live.instance[pick] : ownRatio;
      if (instance !== null) values.push({ value: instance, labels: { scope: "instance" } });
      const cluster = live?.cluster[pick] ?? null;
      if (cluster !== null) values.push({ value: cluster, labels: { scope: "cluster" } });
      return values;
    };
    reg(
      external(
        "ringlink_cache_hit_ratio",
        "Share of redirect lookups answered by a cache since the processes started (scope: instance or whole cluster)",
        "gauge",
        () => ratios("hit_rate"),
        "average",
      ),
    );
    reg(
      external(
        "ringlink_cache_miss_ratio",
        "Share of redirect lookups that reached the database since the processes started (scope: instance or whole cluster)",
        "gauge",
        () => ratios("miss_rate"),
        "average",
      ),
    );
    reg(
      external("ringlink_redirect_duration_seconds", "Time to answer a redirect", "histogram", () => {
        const values: Values = [];
        let cumulative = 0;
        LATENCY_BOUNDS_MS.forEach((bound, i) => {
          cumulative += s.latencyBuckets[i]!;
          values.push({ metricName: "ringlink_redirect_duration_seconds_bucket", labels: { le: bound / 1000 }, value: cumulative });
        });
        cumulative += s.latencyBuckets[LATENCY_BOUNDS_MS.length]!;
        values.push({ metricName: "ringlink_redirect_duration_seconds_bucket", labels: { le: "+Inf" }, value: cumulative });
        values.push({ metricName: "ringlink_redirect_duration_seconds_sum", value: s.latencySumMs / 1000 });
        values.push({ metricName: "ringlink_redirect_duration_seconds_count", value: cumulative });
        return values;
      }),
    );
    reg(
      external("ringlink_events_total", "Events by what happened to them (published, delivered, dropped, spooled, ...)", "counter", () =>
        Object.entries(sources.events()).map(([state, value]) => ({ value, labels: { state } })),
      ),
    );
    reg(
      external(
        "ringlink_dependency_up",
        "1 when a dependency (database node, cache node, broker) answers",
        "gauge",
        async () => (await sources.dependencies()).map((d) => ({ value: d.up ? 1 : 0, labels: { name: d.name, kind: d.kind, shard: d.shard ?? "" } })),
        "max",
      ),
    );
    if (sources.nodeStates) {
      const states = sources.nodeStates;
      reg(
        external(
          "ringlink_breaker_open",
          "1 while a node's circuit breaker is open (calls fail fast)",
          "gauge",
          () => states().map((n) => ({ value: n.state === "open" ? 1 : 0, labels: { name: n.name, kind: n.kind, shard: n.shard ?? "" } })),
          "max",
        ),
      );
      reg(
        external(
          "ringlink_breaker_state",
          "A node's circuit breaker: 0 closed, 1 half-open, 2 open",
          "gauge",
          () => states().map((n) => ({ value: BREAKER_LEVEL[n.state] ?? 2, labels: { name: n.name, kind: n.kind, shard: n.shard ?? "" } })),
          "max",
        ),
      );
      reg(
        external(
          "ringlink_node_consecutive_failures",
          "Consecutive failed calls to a node (the breaker opens at the threshold)",
          "gauge",
          () => states().map((n) => ({ value: n.failures ?? 0, labels: { name: n.name, kind: n.kind, shard: n.shard ?? "" } })),
          "max",
        ),
      );
    }
    if (sources.topology) this.registerTopology(sources.topology);
    if (sources.realtime) this.registerRealtime(sources.realtime);
  }

  private registerTopology(read: NonNullable<MetricSources["topology"]>): void {
    const reg = (m: ReturnType<typeof external>) => this.registry.registerMetric(m as never);
    const one = (pick: (t: NonNullable<ReturnType<typeof read>>) => number) => () => {
      const t = read();
      return t ? [{ value: pick(t) }] : [];
    };
    reg(
      external(
        "ringlink_topology_version",
        "Version of the shard map this process routes by",
        "gauge",
        one((t) => t.version),
        "max",
      ),
    );
    reg(
      external(
        "ringlink_topology_shards",
        "Shards in the map this process routes by",
        "gauge",
        one((t) => t.shards),
        "max",
      ),
    );
    reg(
      external(
        "ringlink_topology_move_in_progress",
        "1 while a reshard moves links between shard maps",
        "gauge",
        one((t) => (t.moving ? 1 : 0)),
        "max",
      ),
    );
    reg(
      external(
        "ringlink_topology_move_links_moved",
        "Links moved so far by the running reshard",
        "gauge",
        one((t) => t.progress?.moved ?? 0),
        "max",
      ),
    );
    reg(
      external(
        "ringlink_topology_move_links_total",
        "Links the running reshard moves in all",
        "gauge",
        one((t) => t.progress?.total ?? 0),
        "max",
      ),
    );
    reg(
      external(
        "ringlink_verify_findings",
        "Findings of the last `ringlink verify` run (or the analytics worker's periodic one), by kind",
        "gauge",
        () => Object.entries(read()?.verify?.found ?? {}).map(([kind, value]) => ({ value, labels: { kind } })),
        "max",
      ),
    );
    reg(
      external(
        "ringlink_verify_last_run_timestamp_seconds",
        "When verify last ran (0: never)",
        "gauge",
        one((t) => (t.verify?.at ?? 0) / 1000),
        "max",
      ),
    );
  }

  private registerRealtime(read: () => LiveStreamStats): void {
    const reg = (m: ReturnType<typeof external>) => this.registry.registerMetric(m as never);
    reg(external("ringlink_ws_clients", "Dashboard WebSocket clients connected", "gauge", () => [{ value: read().hub.clients }]));
    reg(external("ringlink_ws_connections_total", "Dashboard WebSocket connections accepted", "counter", () => [{ value: read().hub.connections }]));
    reg(
      external("ringlink_ws_refused_total", "WebSocket connections refused because the process had its maximum of clients", "counter", () => [
        { value: read().hub.refused },
      ]),
    );
    reg(
      external("ringlink_ws_frames_total", "Frames for WebSocket clients: sent, or dropped because the client read too slowly", "counter", () => {
        const h = read().hub;
        return [
          { value: h.framesSent, labels: { result: "sent" } },
          { value: h.framesDropped, labels: { result: "dropped" } },
        ];
      }),
    );
    reg(
      external(
        "ringlink_realtime_events_total",
        "Events through the live stream: seen (produced here), sampled (relayed), shown (sent to this process's clients)",
        "counter",
        () => {
          const r = read();
          return [
            { value: r.eventsSeen, labels: { stage: "seen" } },
            { value: r.eventsSampled, labels: { stage: "sampled" } },
            { value: r.eventsShown, labels: { stage: "shown" } },
          ];
        },
      ),
    );
    reg(
      external("ringlink_realtime_relay_messages_total", "Realtime relay messages by transport (ipc, redis) and result", "counter", () =>
        read().relays.flatMap((t) => [
          { value: t.sent, labels: { transport: t.name, result: "sent" } },
          { value: t.received, labels: { transport: t.name, result: "received" } },
          { value: t.errors, labels: { transport: t.name, result: "error" } },
        ]),
      ),
    );
    reg(
      external("ringlink_realtime_relay_duplicates_total", "Relay messages that arrived twice (over IPC and Redis) and were dropped", "counter", () => [
        { value: read().duplicates },
      ]),
    );
    reg(external("ringlink_realtime_peers", "Serving processes (all instances) this process hears from", "gauge", () => [{ value: read().peers }], "max"));
    reg(
      external(
        "ringlink_cluster_cache_lookups",
        "Cache hits and misses of every live process of every instance, as the realtime relay sees them (use max(), not sum())",
        "gauge",
        () => {
          const c = read().cache.cluster;
          return [
            { value: c.hits, labels: { result: "hit" } },
            { value: c.misses, labels: { result: "miss" } },
          ];
        },
        "max",
      ),
    );
  }

  observeHttp(route: string, method: string, status: number, seconds: number): void {
    this.apiRequests++;
    this.httpDuration.labels(route, method, String(status)).observe(seconds);
  }

  json(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return this.registry.getMetricsAsJSON();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
