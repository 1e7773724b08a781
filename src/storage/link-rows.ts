/**
 * The `links` row as both engines return it, and its one mapping to a LinkRecord. Integer columns
 * arrive as bigint from bun:sqlite (safeIntegers) and as number or bigint from postgres.js, so
 * every field is converted explicitly.
 */
import { decodeDisabled, decodeJson, decodeTags } from "./link-columns";
import type { LinkRecord, RedirectType } from "./link-store";

type Int = number | bigint;

export interface LinkRow {
  id: Int;
  code: string;
  url: string;
  url_hash: string;
  is_alias: Int;
  canonical: Int;
  redirect_type: Int;
  created_at: Int;
  expires_at: Int | null;
  max_clicks: Int | null;
  clicks_consumed: Int;
  clicks: Int;
  deleted_at: Int | null;
  category: string | null;
  category_confidence: number | null;
  owner_key: string | null;
  disabled: string | null;
  password_hash: string | null;
  forward_query: Int;
  tags: string;
  updated_at: Int | null;
  rules?: string | null;
  variants?: string | null;
  preview?: string | null;
}

const nullableNumber = (v: Int | null): number | null => (v === null ? null : Number(v));

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
    rules: decodeJson(row.rules),
    variants: decodeJson(row.variants),
    preview: decodeJson(row.preview),
  };
}
