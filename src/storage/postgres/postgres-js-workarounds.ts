import { log } from "../../log";
/**
 * Containment for a known defect of postgres.js 3.4.9 (porsager/postgres#1066, #1154, #1208; fixes
 * proposed in PRs #1168, #1176, #1209, none released). Small writes are flushed from a
 * `setImmediate`; when the server drops the connection first (a crashed or restarted node — exactly
 * what the fault tests do), that callback runs with the socket already null and throws from the
 * event loop, where no `await` can catch it, so the whole process dies. The throw also leaves the
 * connection's "flush scheduled" flag set forever, so that pooled connection never writes again.
 *
 * The proper fix is a patched dependency (a `patchedDependencies` entry adding the null guard);
 * until it ships, two measures keep a node crash from becoming a ringlink crash:
 *  1. `installNullSocketWriteGuard` ignores exactly this exception (the queries it concerned were
 *     already rejected with CONNECTION_CLOSED, or hit their call timeout) and lets every other
 *     uncaught exception end the process as before;
 *  2. PgNode replaces its pools after a node failure (see pg-node.ts), dropping poisoned connections.
 */

/** The signature of the defect: a null-socket `.write` thrown from postgres.js's connection.js. */
export function isNullSocketWriteCrash(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const nullWrite = /null is not an object \(evaluating '[\w$]+\.write'\)|Cannot read properties of null \(reading 'write'\)/.test(error.message);
  return nullWrite && (error.stack ?? "").includes("connection.js");
}

let installed = false;

export function installNullSocketWriteGuard(): void {
  if (installed) return;
  installed = true;
  process.on("uncaughtException", (error) => {
    if (isNullSocketWriteCrash(error)) {
      log.warn("postgres.js wrote to a closed connection (known driver defect); ignored");
      return;
    }
    // Any other uncaught exception keeps its default outcome: report it and end the process.
    log.error("uncaught exception", { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
}
