/**
 * Lookups by code that arrive in the same turn of the event loop share one query per node
 * (`WHERE code = ANY(...)`, see cluster/key-batcher.ts): on a cold cache each redirect is a replica
 * read, and at 64 connections a turn holds several misses per shard.
 *
 * The query runs through the node's guard (breaker + timeout) once per batch; a failed batch
 * rejects every lookup in it, and each caller's own retry policy decides what happens next.
 */
import { KeyBatcher } from "../../cluster";
import type { LinkRow } from "./link-rows";

export class CodeBatcher {
  private readonly batcher: KeyBatcher<LinkRow>;

  /** `query` reads the rows of these codes within `timeoutMs` (through the node's guard). */
  constructor(query: (codes: string[], timeoutMs: number) => Promise<LinkRow[]>) {
    this.batcher = new KeyBatcher(async (codes, timeoutMs) => {
      const byCode = new Map((await query(codes, timeoutMs)).map((row) => [row.code, row]));
      return codes.map((code) => byCode.get(code) ?? null);
    });
  }

  get(code: string, timeoutMs: number): Promise<LinkRow | null> {
    return this.batcher.get(code, timeoutMs);
  }
}
