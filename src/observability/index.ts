export { requestLog, logRequest } from "./request-log";
export { RedirectStats, LATENCY_BOUNDS_MS, type RedirectOutcome } from "./redirect-stats";
export { Metrics, type MetricSources, type LiveStreamStats } from "./metrics";
export { metricsRoutes } from "./metrics-routes";
export { scrapedCounter, scrapedGauge, type ScrapedMetric } from "./scraped-metrics";
