/** Elysia schemas of the stats endpoint: they validate at the edge and feed /openapi.json. */
import { t } from "elysia";
import { DEFAULT_TOP, INTERVALS, MAX_BUCKETS, MAX_TOP } from "./stats-service";

/** The link code in the path, as the links API declares it. */
export { CodeParams as StatsParams } from "../links";

export const StatsQuery = t.Object({
  from: t.Optional(
    t.String({ maxLength: 40, description: "start, ISO 8601 or epoch ms; rounded down to the interval (default: about 60/24/30 buckets before `to`)" }),
  ),
  to: t.Optional(t.String({ maxLength: 40, description: "end, ISO 8601 or epoch ms; its bucket is included (default: now)" })),
  interval: t.Optional(t.UnionEnum(INTERVALS, { default: "hour", description: `bucket size; at most ${MAX_BUCKETS} buckets per request` })),
  top: t.Optional(t.Integer({ minimum: 1, maximum: MAX_TOP, default: DEFAULT_TOP, description: "entries per top list" })),
  domain: t.Optional(t.String({ maxLength: 253, description: "the link's short domain when it is not the default one" })),
});

const Count = t.Integer({ minimum: 0 });
const TopList = t.Array(t.Object({ value: t.String(), clicks: Count }));

export const LinkStatsResponse = t.Object({
  code: t.String(),
  from: t.String({ format: "date-time", description: "start of the first bucket" }),
  to: t.String({ format: "date-time", description: "end of the last bucket (exclusive)" }),
  interval: t.String({ enum: [...INTERVALS] }),
  totals: t.Object({
    clicks: Count,
    human: t.Integer({ minimum: 0, description: "clicks by people (known crawlers, scripts and requests without a User-Agent excluded)" }),
    bot: Count,
    unique: t.Integer({ minimum: 0, description: "distinct human visitors per UTC day, summed over the days the range touches" }),
  }),
  series: t.Array(t.Object({ t: t.String({ format: "date-time" }), human: Count, bot: Count }), { description: "every bucket of the range, zeros included" }),
  top: t.Object(
    { referrers: TopList, browsers: TopList, os: TopList, devices: TopList, countries: TopList, variants: TopList },
    {
      description:
        "human clicks over the UTC days the range touches, most first; referrers by host, (direct) without one; variants: per A/B variant name (links with a split)",
    },
  ),
});
