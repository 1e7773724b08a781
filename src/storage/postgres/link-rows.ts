/** Row shape of `links` as postgres.js returns it (BIGINT as bigint, SMALLINT as number). */
import { decodeDisabled, decodeTags } from "../link-columns";
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
  category: string | null;
  category_confidence: number | null;
  owner_key: string | null;
  disabled: string | null;
  password_hash: string | null;
  forward_query: number;
  tags: string;
  updated_at: bigint | null;
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
    category: row.category ?? null,
    categoryConfidence: row.category_confidence === null || row.category_confidence === undefined ? null : Number(row.category_confidence),
    ownerKey: row.owner_key ?? null,
    disabled: decodeDisabled(row.disabled),
    passwordHash: row.password_hash ?? null,
    forwardQuery: Number(row.forward_query ?? 0) === 1,
    tags: decodeTags(row.tags),
    updatedAt: nullableNumber(row.updated_at ?? null),
  };
}

/** Newest first across shards: each input is already sorted by id descending. */
export function mergeNewestFirst(lists: LinkRecord[][], limit: number): LinkRecord[] {
  return lists
    .flat()
    .sort((a, b) => (a.id === b.id ? 0 : a.id > b.id ? -1 : 1))
    .slice(0, limit);
}
