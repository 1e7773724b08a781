/**
 * Opens the embedded database the way every connection to it needs: a busy timeout, WAL, and
 * `synchronous = NORMAL` (in WAL mode durable against process crashes, which is the acknowledgement
 * guarantee we give; only an OS crash or power loss can drop the last commits).
 *
 * `serve --processes N` opens the file N times at once on a fresh DATA_DIR. Switching a new file to
 * WAL needs an exclusive lock and SQLite reports a conflict there as "database is locked" at once,
 * without the busy handler, so that step is retried for up to the busy timeout.
 *
 * The file is created 0600 before SQLite opens it: SQLite gives the -wal and -shm files it makes
 * the database file's mode, so all three stay private (see files/private-files.ts).
 */
import { Database } from "bun:sqlite";
import { ensurePrivateFile, restrictIfPresent } from "../files";

const BUSY_TIMEOUT_MS = 5_000;

export function openDatabase(path: string, options: { create?: boolean; safeIntegers?: boolean } = {}): Database {
  if (path !== ":memory:" && (options.create ?? true)) {
    ensurePrivateFile(path);
    for (const companion of ["-wal", "-shm", "-journal"]) restrictIfPresent(`${path}${companion}`);
  }
  const db = new Database(path, { create: options.create ?? true, safeIntegers: options.safeIntegers ?? false, strict: true });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.exec("PRAGMA journal_mode = WAL");
      break;
    } catch (error) {
      if (!/locked|busy/i.test(String(error)) || Date.now() > deadline) throw error;
      Bun.sleepSync(10 + Math.random() * 20);
    }
  }
  db.exec("PRAGMA synchronous = NORMAL");
  return db;
}
