/**
 * The whole cluster as one process sees it, assembled from the once-a-second reports of every
 * process (its own included) that reach it through the relay.
 *
 * Per-second ticks conserve counts: a tick sums every report received since the previous tick, so
 * a report that arrives late lands in the next second instead of being lost, and totals over a
 * minute match what was served. Reports are sent right after each wall-clock second and merged half
 * a second later, which leaves ~400 ms for IPC or Redis (and clock skew between instances).
 * The req/s a tick shows is the sum of each process's own measured rate (requests / the span its
 * report covers), so one late report does not show up as a dip followed by a spike.
 */
import { addBuckets, emptyBuckets, quantileMs } from "./latency";
import { SNAPSHOT_TICKS, type CacheMetrics, type ClusterTotals, type NodeView, type ProcessReport, type Tick } from "./wire";

/** A process not heard from for this long is shown as stale... */
export const STALE_AFTER_MS = 3_000;
/** ...and forgotten after this long (its counters leave the totals, as they leave /metrics). */
export const FORGET_AFTER_MS = 30_000;

interface OriginState {
  origin: string;
  last: ProcessReport;
  lastSeen: number;
  /** reports received since the previous tick */
  pending: ProcessReport[];
  /** the last rate computed for it, reused for one tick when its report is late */
  rps: number;
  rpsAt: number;
}

export function cacheMetrics(hits: number, misses: number): CacheMetrics {
  const total = hits + misses;
  return {
    hits,
    misses,
    total,
    hit_rate: total === 0 ? null : Math.round((hits / total) * 10_000) / 10_000,
    miss_rate: total === 0 ? null : Math.round((misses / total) * 10_000) / 10_000,
  };
}

export class ClusterView {
  private readonly origins = new Map<string, OriginState>();
  private readonly ticks: Tick[] = [];
  private eventsSeen = 0;
  private eventsShown = 0;

  constructor(private readonly now: () => number = Date.now) {}

  ingest(origin: string, report: ProcessReport): void {
    const at = this.now();
    // A restarted process comes back under a new origin with the same node name: replace it.
    for (const [key, state] of this.origins) {
      if (key !== origin && state.last.node === report.node) this.origins.delete(key);
    }
    const state = this.origins.get(origin);
    if (state) {
      state.last = report;
      state.lastSeen = at;
      state.pending.push(report);
    } else {
      this.origins.set(origin, { origin, last: report, lastSeen: at, pending: [report], rps: 0, rpsAt: 0 });
    }
  }

  /** Counts events produced anywhere (`seen`) and events sent to clients (`shown`) for the next tick. */
  countEvents(seen: number, shown: number): void {
    this.eventsSeen += seen;
    this.eventsShown += shown;
  }

  /** Closes the current second: merges the pending reports into one tick and keeps it in the history. */
  tick(second: number): Tick {
    const at = this.now();
    this.forgetSilent(at);
    const latency = emptyBuckets();
    const t: Tick = {
      t: second,
      requests: 0,
      rps: 0,
      api: 0,
      writes: 0,
      hits: 0,
      misses: 0,
      hit_rate: null,
      errors: 0,
      not_found: 0,
      gone: 0,
      p50_ms: null,
      p90_ms: null,
      p99_ms: null,
      processes: 0,
      events_seen: this.eventsSeen,
      events_shown: this.eventsShown,
    };
    this.eventsSeen = 0;
    this.eventsShown = 0;
    for (const state of this.origins.values()) {
      if (state.pending.length > 0) {
        let requests = 0;
        let span = 0;
        for (const r of state.pending) {
          requests += r.requests;
          span += r.interval_ms;
          t.requests += r.requests;
          t.api += r.api;
          t.writes += r.writes;
          t.hits += r.hits;
          t.misses += r.misses;
          t.errors += r.errors;
          t.not_found += r.not_found;
          t.gone += r.gone;
          addBuckets(latency, r.latency);
        }
        state.rps = span > 0 ? (requests * 1000) / span : 0;
        state.rpsAt = at;
        state.pending = [];
        t.processes++;
        t.rps += state.rps;
      } else if (at - state.rpsAt < 2_000) {
        t.rps += state.rps; // late by one tick: its last rate stands in (its counts arrive next tick)
      }
    }
    t.rps = Math.round(t.rps * 10) / 10;
    t.hit_rate = cacheMetrics(t.hits, t.misses).hit_rate;
    t.p50_ms = quantileMs(latency, 0.5);
    t.p90_ms = quantileMs(latency, 0.9);
    t.p99_ms = quantileMs(latency, 0.99);
    this.ticks.push(t);
    if (this.ticks.length > SNAPSHOT_TICKS) this.ticks.shift();
    return t;
  }

  history(): Tick[] {
    return [...this.ticks];
  }

  totals(): ClusterTotals {
    const instances = new Set<string>();
    const totals: ClusterTotals = { requests: 0, api_requests: 0, writes: 0, errors: 0, not_found: 0, processes: 0, instances: 0 };
    for (const { last } of this.origins.values()) {
      totals.requests += last.totals.requests;
      totals.api_requests += last.totals.api;
      totals.writes += last.totals.writes;
      totals.errors += last.totals.errors;
      totals.not_found += last.totals.not_found;
      totals.processes++;
      instances.add(last.instance);
    }
    totals.instances = instances.size;
    return totals;
  }

  /** Cache hits and misses of every live process; `instance` narrows it to one instance's processes. */
  cacheMetrics(instance?: string): CacheMetrics {
    let hits = 0;
    let misses = 0;
    for (const { last } of this.origins.values()) {
      if (instance !== undefined && last.instance !== instance) continue;
      hits += last.totals.hits;
      misses += last.totals.misses;
    }
    return cacheMetrics(hits, misses);
  }

  nodes(): NodeView[] {
    const at = this.now();
    const views: NodeView[] = [];
    for (const s of this.origins.values()) {
      const r = s.last;
      const age = at - s.lastSeen;
      views.push({
        node: r.node,
        instance: r.instance,
        pid: r.pid,
        status: age > STALE_AFTER_MS ? "stale" : "live",
        last_seen_ms: age,
        uptime_s: Math.max(0, Math.round((at - r.started_at) / 1000)),
        ready: r.ready,
        deps_down: r.deps_down,
        rps: Math.round(s.rps * 10) / 10,
        p99_ms: quantileMs(r.latency, 0.99),
        requests: r.totals.requests,
        cache: cacheMetrics(r.totals.hits, r.totals.misses),
        ws_clients: r.ws_clients,
        events_published: r.events_published,
        events_dropped: r.events_dropped,
      });
    }
    return views.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  /** Origins heard from recently: what the relay currently connects this process to. */
  liveOrigins(): number {
    const at = this.now();
    let n = 0;
    for (const s of this.origins.values()) if (at - s.lastSeen <= STALE_AFTER_MS) n++;
    return n;
  }

  private forgetSilent(at: number): void {
    for (const [key, state] of this.origins) if (at - state.lastSeen > FORGET_AFTER_MS) this.origins.delete(key);
  }
}
