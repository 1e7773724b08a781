/**
 * This process's WebSocket clients. A frame is serialised once and handed to every client's
 * bounded queue, so the cost of a broadcast is one JSON.stringify plus a push per client, however
 * slow any one client is.
 */
import { ClientQueue, type ClientSocket } from "./client-queue";
import type { DroppedFrame, ServerFrame } from "./wire";

export interface WsHubOptions {
  /** frames a client may fall behind before the oldest are dropped */
  queueFrames?: number;
  /** unsent bytes on a socket before frames wait in the queue instead */
  highWaterBytes?: number;
  /** connections this process accepts; more are refused (1013 "try again later") */
  maxClients?: number;
}

export interface WsHubStats {
  clients: number;
  connections: number;
  refused: number;
  framesSent: number;
  framesDropped: number;
}

export class WsHub {
  private readonly clients = new Map<ClientSocket, ClientQueue>();
  private readonly queueFrames: number;
  private readonly highWaterBytes: number;
  readonly maxClients: number;
  /** counters of clients that have left, so the totals never go backwards */
  private closedSent = 0;
  private closedDropped = 0;
  private connections = 0;
  private refused = 0;

  constructor(options: WsHubOptions = {}) {
    this.queueFrames = options.queueFrames ?? 128;
    this.highWaterBytes = options.highWaterBytes ?? 256 * 1024;
    this.maxClients = options.maxClients ?? 1_000;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Registers a client and sends it its first frame (the snapshot); false when the hub is full. */
  open(socket: ClientSocket, first: () => ServerFrame): boolean {
    if (this.clients.size >= this.maxClients) {
      this.refused++;
      return false;
    }
    const queue = new ClientQueue(socket, this.queueFrames, this.highWaterBytes);
    this.clients.set(socket, queue);
    this.connections++;
    queue.push(JSON.stringify(first()));
    return true;
  }

  close(socket: ClientSocket): void {
    const queue = this.clients.get(socket);
    if (!queue) return;
    this.closedSent += queue.sent;
    this.closedDropped += queue.dropped;
    this.clients.delete(socket);
  }

  drain(socket: ClientSocket): void {
    this.clients.get(socket)?.flush();
  }

  broadcast(frame: ServerFrame): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(frame);
    for (const queue of this.clients.values()) queue.push(text);
  }

  /** Tells each client that lost frames since it was last told (so the page can say so). */
  reportDrops(): void {
    for (const queue of this.clients.values()) {
      if (queue.dropped === queue.reportedDropped || queue.length > 0) continue;
      queue.reportedDropped = queue.dropped;
      queue.push(JSON.stringify({ kind: "dropped", total: queue.dropped } satisfies DroppedFrame));
    }
  }

  stats(): WsHubStats {
    let sent = this.closedSent;
    let dropped = this.closedDropped;
    for (const q of this.clients.values()) {
      sent += q.sent;
      dropped += q.dropped;
    }
    return { clients: this.clients.size, connections: this.connections, refused: this.refused, framesSent: sent, framesDropped: dropped };
  }
}
