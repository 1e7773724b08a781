/** GET /api/v1/links/:code/stats: a thin handler over StatsService, behind the link's read rule and the reads budget. */
import { Elysia } from "elysia";
import { ErrorResponse, checkedQuery } from "../http";
import type { LinkReadCheck } from "../links";
import { limitedBy, type PeerAddressSource, type RateLimitGuard } from "../ratelimit";
import { LinkStatsResponse, StatsParams, StatsQuery } from "./stats-schemas";
import type { StatsService } from "./stats-service";

export interface StatsRoutesOptions {
  stats: StatsService;
  /** RATE_LIMIT_READS */
  readsGuard: RateLimitGuard;
  /** who may read the link's stats: whoever may read the link (a key's links: that key with the stats scope) */
  mayRead: LinkReadCheck;
}

export function statsRoutes({ stats, readsGuard, mayRead }: StatsRoutesOptions) {
  // Credentials are judged before the budget is spent, so a refused reader learns 401/403, not 429.
  const readAccess = ({ params, request, server }: { params: { code: string }; request: Request; server: PeerAddressSource | null }) =>
    mayRead(request, server, params.code);
  return new Elysia({ name: "link-stats", prefix: "/api/v1/links" }).get(
    "/:code/stats",
    ({ params, query }) => stats.stats({ code: params.code, from: query.from, to: query.to, interval: query.interval, top: query.top }),
    {
      params: StatsParams,
      ...checkedQuery(StatsQuery),
      beforeHandle: [readAccess, limitedBy(readsGuard)],
      detail: {
        summary: "Click statistics of a link: totals, a time series and top referrers, browsers, OS, devices, countries",
        description: "Read from aggregates (per minute and per day), so the cost does not grow with the number of clicks.",
        tags: ["links"],
        security: [{}, { bearer: [] }],
      },
      response: {
        200: LinkStatsResponse,
        400: ErrorResponse,
        401: ErrorResponse,
        403: ErrorResponse,
        404: ErrorResponse,
        410: ErrorResponse,
        429: ErrorResponse,
        503: ErrorResponse,
      },
    },
  );
}
