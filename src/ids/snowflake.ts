/**
 * 63-bit time-ordered ids: 41 bits of milliseconds since EPOCH_MS, 10 worker bits, 12 sequence bits.
 * Worker bits = NODE_ID (6 bits) and the process index (4 bits), so no two processes of no two
 * instances can mint the same id. 63 bits (not 64) keeps ids positive in SQLite and PostgreSQL BIGINT.
 */
export const EPOCH_MS = Date.UTC(2025, 0, 1);
export const MAX_NODE_ID = 63;
export const MAX_PROCESS_INDEX = 15;
const SEQUENCE_BITS = 12n;
const WORKER_BITS = 10n;
const MAX_SEQUENCE = (1 << Number(SEQUENCE_BITS)) - 1;

export class SnowflakeIds {
  private readonly worker: bigint;
  private lastMs = -1;
  private sequence = 0;

  constructor(
    nodeId: number,
    processIndex: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > MAX_NODE_ID) {
      throw new RangeError(`node id must be an integer 0..${MAX_NODE_ID}`);
    }
    if (!Number.isInteger(processIndex) || processIndex < 0 || processIndex > MAX_PROCESS_INDEX) {
      throw new RangeError(`process index must be an integer 0..${MAX_PROCESS_INDEX}`);
    }
    this.worker = BigInt((nodeId << 4) | processIndex);
  }

  next(): bigint {
    let ms = this.now();
    // A clock that steps back must not reuse ids: keep counting on the last millisecond seen.
    if (ms < this.lastMs) ms = this.lastMs;
    if (ms === this.lastMs) {
      this.sequence++;
      if (this.sequence > MAX_SEQUENCE) {
        ms = this.lastMs + 1; // borrow the next millisecond rather than spin
        this.sequence = 0;
      }
    } else {
      this.sequence = 0;
    }
    this.lastMs = ms;
    return (BigInt(ms - EPOCH_MS) << (WORKER_BITS + SEQUENCE_BITS)) | (this.worker << SEQUENCE_BITS) | BigInt(this.sequence);
  }
}

export function decodeSnowflake(id: bigint): { timestampMs: number; nodeId: number; processIndex: number; sequence: number } {
  const sequence = Number(id & BigInt(MAX_SEQUENCE));
  const worker = Number((id >> SEQUENCE_BITS) & ((1n << WORKER_BITS) - 1n));
  const timestampMs = Number(id >> (WORKER_BITS + SEQUENCE_BITS)) + EPOCH_MS;
  return { timestampMs, nodeId: worker >> 4, processIndex: worker & 0xf, sequence };
}
