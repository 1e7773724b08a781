export type {
  LinkStore,
  LinkRecord,
  NewLink,
  InsertOutcome,
  ClickBudget,
  MigrationReport,
  RedirectType,
  DisabledReason,
  LinkChanges,
  LinkFilter,
  LinkPage,
} from "./link-store";
export { SqliteLinkStore } from "./sqlite/sqlite-link-store";
export { ShardedPostgresLinkStore, type ShardedPostgresOptions } from "./postgres/sharded-postgres-link-store";
export { installNullSocketWriteGuard } from "./postgres/postgres-js-workarounds";
export { MIGRATIONS } from "./migrations";
