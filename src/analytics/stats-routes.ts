/** GET /api/v1/links/:code/stats: a thin handler over StatsService. */
import { Elysia } from "elysia";
import { checkedQuery } from "../http";
import { limitedBy, type RateLimitGuard } from "../ratelimit";
import { ErrorResponse } from "../links/link-schemas";
import { LinkStatsResponse, StatsParams, StatsQuery } from "./stats-schemas";
import type { StatsService } from "./stats-service";

export function statsRoutes(stats: StatsService, readsGuard: RateLimitGuard) {
  return new Elysia({ name: "link-stats", prefix: "/api/v1/links" }).get(
    "/:code/stats",
    ({ params, query }) => stats.stats({ code: params.code, from: query.from, to: query.to, interval: query.interval, top: query.top }),
    {
      params: StatsParams,
      ...checkedQuery(StatsQuery),
      beforeHandle: limitedBy(readsGuard),
      detail: {
        summary: "Click statistics of a link: totals, a time series and top referrers, browsers, OS, devices, countries",
        description: "Read from aggregates (per minute and per day), so the cost does not grow with the number of clicks.",
        tags: ["links"],
      },
      response: { 200: LinkStatsResponse, 400: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
    },
  );
}
