/**
 * Sorting PostgreSQL errors into "the node cannot serve" (counts against its circuit breaker, may
 * be retried or failed over) and "this statement was refused" (the caller's problem).
 */
import postgres from "postgres";

/**
 * SQLSTATE classes that describe the server, not the statement: 08 connection exception,
 * 53 insufficient resources (too many connections, out of memory or disk), 57P shutdown/recovery,
 * 58 system error, 28 authentication, 3D000 missing database.
 */
const NODE_FAILURE_SQLSTATE = /^(08|53|57P|58|28|3D000)/;
/** postgres.js connection errors and Node socket errors carry these codes instead of a SQLSTATE. */
const CONNECTION_ERROR_CODE = /^(CONNECTION_(CLOSED|ENDED|DESTROYED)|CONNECT_TIMEOUT|E[A-Z]+)$/;

export function isPgNodeFailure(error: unknown): boolean {
  if (error instanceof postgres.PostgresError) return NODE_FAILURE_SQLSTATE.test(error.code);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CONNECTION_ERROR_CODE.test(code);
}
