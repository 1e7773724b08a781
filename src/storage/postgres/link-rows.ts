/** Row shape of `links` as postgres.js returns it (BIGINT as bigint, SMALLINT as number). */
import type { LinkRecord, RedirectType } from "../link-store";

export interface LinkRow {
  id: bigint;
  code: string;
  url: string;
  url_hash: string;
  is_alias: number;
  canonical: number;
  redirect_type: number;
  created_at: bigint;
  expires_at: bigint | null;
  max_clicks: bigint | null;
  clicks_consumed: bigint;
  clicks: bigint;
  deleted_at: bigint | null;
}

const nullableNumber = (v: bigint | null): number | null => (v === null ? null : Number(v));

export function toRecord(row: LinkRow): LinkRecord {
  return {
    id: BigInt(row.id),
    code: row.code,
    url: row.url,
    urlHash: row.url_hash,
    isAlias: Number(row.is_alias) === 1,
    canonical: Number(row.canonical) === 1,
    redirectType: Number(row.redirect_type) as RedirectType,
    createdAt: Number(row.created_at),
    expiresAt: nullableNumber(row.expires_at),
    maxClicks: nullableNumber(row.max_clicks),
    clicksConsumed: Number(row.clicks_consumed),
    clicks: Number(row.clicks),
    deletedAt: nullableNumber(row.deleted_at),
  };
}

/** Newest first across shards: each input is already sorted by id descending. */
export function mergeNewestFirst(lists: LinkRecord[][], limit: number): LinkRecord[] {
  return lists
    .flat()
    .sort((a, b) => (a.id === b.id ? 0 : a.id > b.id ? -1 : 1))
    .slice(0, limit);
}
