export type { LinkStore, LinkRecord, InsertOutcome, RedirectType, DisabledReason, LinkChanges, LinkFilter } from "./link-store";
export { SqliteLinkStore } from "./sqlite/sqlite-link-store";
export { ShardedPostgresLinkStore } from "./postgres/sharded-postgres-link-store";
export { installNullSocketWriteGuard } from "./postgres/postgres-js-workarounds";
export { migrateShard } from "./postgres/pg-migrator";
export { MIGRATIONS } from "./migrations";
