/**
 * The relay port: how one process's sample and reports reach every other process. Two transports
 * exist: the supervisor over IPC (the processes of one instance) and Redis pub/sub (every process of
 * every instance). A distributed instance with several processes uses both, so that its processes
 * still see each other while Redis is down; the copies that arrive twice are dropped by `SeenMessages`.
 */
import type { RelayMessage } from "./wire";

export interface RelayTransportStats {
  sent: number;
  received: number;
  errors: number;
}

export interface RelayTransport {
  /** "ipc" or "redis": a metrics label */
  readonly name: string;
  /** Never blocks and never throws: a relay that cannot deliver loses the message (counted). */
  send(message: RelayMessage): void;
  onMessage(handler: (message: RelayMessage) => void): void;
  stats(): RelayTransportStats;
  close(): Promise<void>;
}

/** Remembers recent (origin, seq) pairs; bounded, oldest forgotten first. */
export class SeenMessages {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 4_096) {}

  /** true the first time a message is offered, false for a repeat */
  firstTime(origin: string, seq: number): boolean {
    const key = `${origin}/${seq}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      // Sets iterate in insertion order: the first key is the oldest.
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
