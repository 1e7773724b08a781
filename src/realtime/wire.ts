/**
 * What crosses the wire: frames the server sends to WebSocket clients, and the messages processes
 * and instances exchange through the relay. Field names are snake_case, like the event schema
 * (src/events/link-event.ts), because they cross process and language boundaries as JSON.
 */
import type { LinkEvent } from "../events";

/** Individual events a client receives per second, at most (the rest is summarised in ticks). */
export const CLIENT_EVENTS_PER_SECOND = 50;
/** Events a snapshot carries. */
export const SNAPSHOT_EVENTS = 50;
/** Seconds of ticks a snapshot carries, so charts are full the moment the page connects. */
export const SNAPSHOT_TICKS = 120;
/** Version of the client frames; bumped on incompatible changes. */
export const WIRE_VERSION = 1;

/** Hits, misses and rates of the redirect caches (L1 and Redis together). */
export interface CacheMetrics {
  hits: number;
  misses: number;
  total: number;
  /** hits / total, 0..1; null before the first lookup */
  hit_rate: number | null;
  miss_rate: number | null;
}

/** An event as a client sees it: the bus schema, with read events carrying the cluster's cache metrics. */
export type ClientEvent = Omit<LinkEvent, "visitor"> & { cache_metrics?: CacheMetrics };

/** Cluster-wide counters since the live processes started (what /metrics sums, across instances). */
export interface ClusterTotals {
  requests: number;
  api_requests: number;
  writes: number;
  errors: number;
  not_found: number;
  processes: number;
  instances: number;
}

/** One second of the whole cluster. */
export interface Tick {
  /** start of the second, epoch ms */
  t: number;
  /** redirects answered in this second, summed over every process that reported */
  requests: number;
  /** redirect rate: each process's own measured rate, summed */
  rps: number;
  /** API requests (everything that is not a redirect) */
  api: number;
  /** links created */
  writes: number;
  hits: number;
  misses: number;
  hit_rate: number | null;
  errors: number;
  not_found: number;
  gone: number;
  /** server-side redirect latency, estimated from the merged histogram */
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  /** processes whose report made it into this second */
  processes: number;
  /** events produced in the cluster this second vs events clients were sent */
  events_seen: number;
  events_shown: number;
}

export type NodeStatus = "live" | "stale";

/** One serving process, anywhere in the cluster. */
export interface NodeView {
  node: string;
  instance: string;
  /** admin watchers only (audience.ts) */
  pid?: number;
  status: NodeStatus;
  /** ms since its last report */
  last_seen_ms: number;
  uptime_s: number;
  ready: boolean;
  /** dependencies this process cannot reach */
  deps_down: number;
  rps: number;
  p99_ms: number | null;
  requests: number;
  cache: CacheMetrics;
  ws_clients: number;
  events_published: number;
  events_dropped: number;
}

/** One dependency node (database primary/replica, Redis node, SQLite) as this process sees it. */
export interface DependencyView {
  name: string;
  kind: string;
  up: boolean;
  breaker: "closed" | "open" | "half-open" | null;
  latency_ms: number;
}

/** One shard of the ring: its nodes' health and its share of the newest links. */
export interface ShardView {
  shard: number;
  nodes: DependencyView[];
  /** how many of the sampled newest links live on this shard */
  keys: number;
  /** keys / sample size, 0..1 */
  share: number;
}

export interface ShardsView {
  /** how many of the newest links were bucketed by the ring */
  sample: number;
  /** live (not deleted) links in the whole store, every shard; null until first counted or while the store is unreachable */
  links_total: number | null;
  shards: ShardView[];
  /** dependencies that belong to no shard (a broker) */
  other: DependencyView[];
  /** distributed mode: the shard map in use, a running move and the last verify summary */
  topology?: TopologyView | null;
}

export interface TopologyView {
  version: number;
  shards: number;
  moving: boolean;
  move_from: number | null;
  moved: number | null;
  to_move: number | null;
  verify_at: number | null;
  /** findings of the last verify by kind (non-zero ones only) */
  findings: Record<string, number>;
}

export interface SnapshotFrame {
  kind: "snapshot";
  v: number;
  server_time: number;
  /** the process that serves this connection */
  node: string;
  events_per_second: number;
  totals: ClusterTotals;
  cache_metrics: CacheMetrics;
  nodes: NodeView[];
  shards: ShardsView;
  events: ClientEvent[];
  history: Tick[];
}

export interface EventsFrame {
  kind: "events";
  events: ClientEvent[];
}

export interface TickFrame {
  kind: "tick";
  tick: Tick;
  totals: ClusterTotals;
  cache_metrics: CacheMetrics;
  nodes: NodeView[];
  /** present when the shard view was refreshed */
  shards?: ShardsView;
}

/** Sent to one client when frames meant for it were dropped because it read too slowly. */
export interface DroppedFrame {
  kind: "dropped";
  /** frames dropped for this client since it connected */
  total: number;
}

export type ServerFrame = SnapshotFrame | EventsFrame | TickFrame | DroppedFrame;

/** One process's second: deltas since its previous report plus its running totals. */
export interface ProcessReport {
  node: string;
  instance: string;
  pid: number;
  started_at: number;
  /** the span the deltas cover (about 1000) */
  interval_ms: number;
  requests: number;
  api: number;
  writes: number;
  reads: number;
  hits: number;
  misses: number;
  errors: number;
  not_found: number;
  gone: number;
  /** per-bucket latency counts (LATENCY_BOUNDS_MS, last = +Inf), not cumulative */
  latency: number[];
  totals: { requests: number; api: number; writes: number; hits: number; misses: number; errors: number; not_found: number };
  ready: boolean;
  deps_down: number;
  ws_clients: number;
  events_published: number;
  events_dropped: number;
}

/** What one process tells every other: a sample of its events and, once a second, its report. */
export interface RelayMessage {
  kind: "realtime";
  /** unique per process run (node name + boot id), so a restarted process is a new origin */
  origin: string;
  /** per-origin sequence number; duplicates (the same message over IPC and Redis) are dropped */
  seq: number;
  events: ClientEvent[];
  /** events this origin produced in the window the sample was drawn from */
  seen: number;
  report?: ProcessReport;
}

export function isRelayMessage(m: unknown): m is RelayMessage {
  if (typeof m !== "object" || m === null) return false;
  const r = m as Partial<RelayMessage>;
  return r.kind === "realtime" && typeof r.origin === "string" && typeof r.seq === "number" && Array.isArray(r.events);
}
