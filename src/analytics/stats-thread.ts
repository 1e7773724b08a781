/** Entry module of the stats thread: embedded stats reads over a connection of the thread's own. */
import { openDatabase } from "../sqlite";
import { serveThread } from "../threads";
import type { StatsData, StatsQuery } from "./analytics-store";
import { SqliteStatsReader } from "./sqlite-stats-reader";

export interface StatsReadJob {
  path: string;
  query: StatsQuery;
}

const readers = new Map<string, SqliteStatsReader>();

serveThread<StatsReadJob, StatsData>(({ path, query }) => {
  let reader = readers.get(path);
  if (reader === undefined) {
    reader = new SqliteStatsReader(openDatabase(path, { create: false }));
    readers.set(path, reader);
  }
  return { value: reader.read(query) };
});
