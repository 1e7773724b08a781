/** Cross-shard helpers for `links` rows (the row mapping itself is shared with SQLite: ../link-rows). */
import type { LinkPage, LinkRecord } from "../link-store";
export { toRecord, type LinkRow } from "../link-rows";

/** One shard's part of a listing: its matches and, after a limited scan, the lowest id it looked at. */
export interface ShardPage {
  records: LinkRecord[];
  floor: bigint | null;
}

/**
 * Newest first across shards (each input sorted by id descending). After limited scans the page
 * ends at the highest floor: below it some shard has not looked yet, so what other shards found
 * there waits for the next page (which starts below that floor).
 */
export function mergeShardPages(pages: ShardPage[], limit: number): LinkPage {
  const floors = pages.map((p) => p.floor).filter((f): f is bigint => f !== null);
  // biome-ignore lint/complexity/useMathMinMax: the ids are bigints, which Math.max does not take
  const boundary = floors.length === 0 ? null : floors.reduce((a, b) => (b > a ? b : a));
  const records = pages
    .flatMap((p) => p.records)
    .filter((r) => boundary === null || r.id >= boundary)
    .sort((a, b) => (a.id === b.id ? 0 : a.id > b.id ? -1 : 1))
    .slice(0, limit);
  return { records, scannedTo: records.length < limit ? boundary : null };
}
