/** Cross-shard helpers for `links` rows (the row mapping itself is shared with SQLite: ../link-rows). */
import type { LinkRecord } from "../link-store";
export { toRecord, type LinkRow } from "../link-rows";

/** Newest first across shards: each input is already sorted by id descending. */
export function mergeNewestFirst(lists: LinkRecord[][], limit: number): LinkRecord[] {
  return lists
    .flat()
    .sort((a, b) => (a.id === b.id ? 0 : a.id > b.id ? -1 : 1))
    .slice(0, limit);
}
