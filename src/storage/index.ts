export type {
  LinkStore,
  LinkRecord,
  NewLink,
  InsertOutcome,
  ClickBudget,
  DependencyHealth,
  MigrationReport,
  RedirectType,
} from "./link-store";
export { SqliteLinkStore } from "./sqlite/sqlite-link-store";
export { MIGRATIONS } from "./migrations";
