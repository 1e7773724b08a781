/**
 * Errors of the resilience layer. `CircuitOpenError` and `CallTimeoutError` stay inside adapters;
 * what leaves a store is `ShardUnavailable`, an `Unavailable` (503 + Retry-After), so the HTTP
 * mapping in src/errors covers it without knowing about shards.
 */
import { Unavailable } from "../errors";

/** The node's breaker is open: the call was refused without touching the network. */
export class CircuitOpenError extends Error {
  constructor(readonly node: string) {
    super(`${node}: circuit open`);
    this.name = "CircuitOpenError";
  }
}

/** The node did not answer within the call's timeout (or the request's deadline ran out). */
export class CallTimeoutError extends Error {
  constructor(
    readonly node: string,
    readonly timeoutMs: number,
  ) {
    super(`${node}: no answer within ${Math.round(timeoutMs)} ms`);
    this.name = "CallTimeoutError";
  }
}

export class ShardUnavailable extends Unavailable {
  constructor(
    readonly shard: number,
    readonly role: string,
    cause: unknown,
  ) {
    super(`shard ${shard} (${role}) is unavailable, try again shortly`);
    this.cause = cause;
  }
}

export function errorSummary(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
