/**
 * The instance's Prometheus metrics. Request-level metrics for the API go through prom-client;
 * hot-path counters and dependency state are read at scrape time. In multi-process mode each
 * process renders JSON and the supervisor merges them (see server/metrics-fanout.ts), so a scrape
 * of any process shows the whole instance.
 */
import { Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from "prom-client";
import { LATENCY_BOUNDS_MS, type RedirectStats } from "./redirect-stats";

export interface MetricSources {
  redirects: RedirectStats;
  events(): { published: number; delivered: number; dropped: number; handlerErrors: number } & Record<string, number>;
  dependencies(): Promise<Array<{ name: string; kind: string; shard?: number; up: boolean }>>;
  nodeStates?(): Array<{ name: string; kind: string; shard?: number; state: string; failures?: number }>;
}

type Values = Array<{ value: number; labels?: Record<string, string | number>; metricName?: string }>;

/** A metric whose values are computed at scrape time from numbers kept elsewhere. */
function external(name: string, help: string, type: "counter" | "gauge" | "histogram", read: () => Values | Promise<Values>, aggregator: "sum" | "max" = "sum") {
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

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<"route" | "method" | "status">;

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
    reg(external("ringlink_redirects_total", "Redirect requests by outcome", "counter", () =>
      Object.entries(s.outcomes).map(([outcome, value]) => ({ value, labels: { outcome } }))));
    reg(external("ringlink_cache_hits_total", "Redirect lookups answered by a cache (L1 or Redis)", "counter", () => [{ value: s.cacheHits }]));
    reg(external("ringlink_cache_misses_total", "Redirect lookups that reached the database", "counter", () => [{ value: s.cacheMisses }]));
    reg(external("ringlink_redirect_duration_seconds", "Time to answer a redirect", "histogram", () => {
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
    }));
    reg(external("ringlink_events_total", "Events by what happened to them (published, delivered, dropped, spooled, ...)", "counter", () =>
      Object.entries(sources.events()).map(([state, value]) => ({ value, labels: { state } }))));
    reg(external("ringlink_dependency_up", "1 when a dependency (database node, cache node, broker) answers", "gauge", async () =>
      (await sources.dependencies()).map((d) => ({ value: d.up ? 1 : 0, labels: { name: d.name, kind: d.kind, shard: d.shard ?? "" } })), "max"));
    if (sources.nodeStates) {
      const states = sources.nodeStates;
      reg(external("ringlink_breaker_open", "1 while a node's circuit breaker is open (calls fail fast)", "gauge", () =>
        states().map((n) => ({ value: n.state === "open" ? 1 : 0, labels: { name: n.name, kind: n.kind, shard: n.shard ?? "" } })), "max"));
    }
  }

  observeHttp(route: string, method: string, status: number, seconds: number): void {
    this.httpDuration.labels(route, method, String(status)).observe(seconds);
  }

  json(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return this.registry.getMetricsAsJSON();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
