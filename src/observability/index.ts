export { requestLog, logRequest } from "./request-log";
export { RedirectStats, LATENCY_BOUNDS_MS, type RedirectOutcome } from "./redirect-stats";
export { Metrics } from "./metrics";
export { metricsRoutes } from "./metrics-routes";
export { scrapedCounter, scrapedGauge } from "./scraped-metrics";
