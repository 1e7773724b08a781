/**
 * One WebSocket client's outgoing frames. A client that reads slowly must cost the server a bounded
 * amount of memory and no waiting: frames go to the socket only while its unsent bytes stay under
 * `highWaterBytes`; beyond that they wait here, at most `capacity` of them, and when a new frame
 * arrives at a full queue the oldest is dropped and counted (fresh numbers beat stale ones on a live
 * page). The socket's `drain` event resumes sending.
 */

/** The part of Bun's ServerWebSocket the queue uses (an interface, so tests can pass a fake). */
export interface ClientSocket {
  send(data: string): number;
  getBufferedAmount(): number;
  readonly readyState: number;
}

const OPEN = 1;

export class ClientQueue {
  private frames: string[] = [];
  private head = 0;
  /** frames dropped because this client fell behind */
  dropped = 0;
  /** the `dropped` value the client was last told */
  reportedDropped = 0;
  sent = 0;

  constructor(
    readonly socket: ClientSocket,
    private readonly capacity = 128,
    private readonly highWaterBytes = 256 * 1024,
  ) {}

  get length(): number {
    return this.frames.length - this.head;
  }

  push(frame: string): void {
    if (this.length >= this.capacity) {
      this.head++;
      this.dropped++;
    }
    this.frames.push(frame);
    this.flush();
  }

  /** Sends queued frames while the socket keeps up; called on push and on the socket's drain. */
  flush(): void {
    const socket = this.socket;
    while (this.head < this.frames.length && socket.readyState === OPEN && socket.getBufferedAmount() < this.highWaterBytes) {
      const frame = this.frames[this.head]!;
      this.head++;
      const status = socket.send(frame);
      // 0: the socket refused it (closing, or past Bun's backpressure limit); -1: accepted but now
      // backpressured, so stop until drain; >0: written.
      if (status === 0) this.dropped++;
      else this.sent++;
      if (status <= 0) break;
    }
    this.compact();
  }

  private compact(): void {
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }
}
