/**
 * This process's second, as deltas of counters it already keeps: the redirect path's plain-number
 * RedirectStats and the API request count. Reading them once a second adds nothing to the hot path.
 */
import type { EventBusStats } from "../events";
import type { RedirectStats } from "../observability";
import { LATENCY_BUCKETS } from "./latency";
import type { ProcessReport } from "./wire";

export interface ReporterSources {
  node: string;
  instance: string;
  startedAt: number;
  redirects: RedirectStats;
  apiRequests(): number;
  /** events counted by the realtime tap (created links, clicks) */
  writes(): number;
  reads(): number;
  bus(): Pick<EventBusStats, "published" | "dropped">;
  /** the last known dependency state (refreshed in the background, never awaited here) */
  health(): { ready: boolean; depsDown: number };
  wsClients(): number;
}

interface Counters {
  at: number;
  requests: number;
  api: number;
  writes: number;
  reads: number;
  hits: number;
  misses: number;
  errors: number;
  notFound: number;
  gone: number;
  latency: number[];
}

export class ProcessReporter {
  private previous: Counters;

  constructor(
    private readonly src: ReporterSources,
    private readonly now: () => number = Date.now,
  ) {
    this.previous = this.read();
  }

  private read(): Counters {
    const s = this.src.redirects;
    const o = s.outcomes;
    return {
      at: this.now(),
      requests: o.redirect + o.not_found + o.gone + o.error,
      api: this.src.apiRequests(),
      writes: this.src.writes(),
      reads: this.src.reads(),
      hits: s.cacheHits,
      misses: s.cacheMisses,
      errors: o.error,
      notFound: o.not_found,
      gone: o.gone,
      latency: s.latencyBuckets.slice(0, LATENCY_BUCKETS),
    };
  }

  /** The report for the span since the previous call. */
  next(): ProcessReport {
    const cur = this.read();
    const prev = this.previous;
    this.previous = cur;
    const health = this.src.health();
    const bus = this.src.bus();
    return {
      node: this.src.node,
      instance: this.src.instance,
      pid: process.pid,
      started_at: this.src.startedAt,
      interval_ms: Math.max(1, cur.at - prev.at),
      requests: cur.requests - prev.requests,
      api: cur.api - prev.api,
      writes: cur.writes - prev.writes,
      reads: cur.reads - prev.reads,
      hits: cur.hits - prev.hits,
      misses: cur.misses - prev.misses,
      errors: cur.errors - prev.errors,
      not_found: cur.notFound - prev.notFound,
      gone: cur.gone - prev.gone,
      latency: cur.latency.map((v, i) => v - (prev.latency[i] ?? 0)),
      totals: { requests: cur.requests, api: cur.api, writes: cur.writes, hits: cur.hits, misses: cur.misses, errors: cur.errors, not_found: cur.notFound },
      ready: health.ready,
      deps_down: health.depsDown,
      ws_clients: this.src.wsClients(),
      events_published: bus.published,
      events_dropped: bus.dropped,
    };
  }
}
