/**
 * This process's WebSocket clients. A frame is serialised once per audience that is watching
 * (audience.ts) and handed to every client's bounded queue, so the cost of a broadcast is at most
 * two JSON.stringify calls plus a push per client, however slow any one client is.
 */
import { frameFor, type Audience } from "./audience";
import { ClientQueue, type ClientSocket } from "./client-queue";
import type { DroppedFrame, ServerFrame } from "./wire";

interface Client {
  queue: ClientQueue;
  audience: Audience;
}

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
  private readonly clients = new Map<ClientSocket, Client>();
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

  /**
   * Registers a client and sends it its first frame (the snapshot), as its audience sees it; false
   * when the hub is full. Without an audience a client is a viewer: nothing private by default.
   */
  open(socket: ClientSocket, first: () => ServerFrame, audience: Audience = "viewer"): boolean {
    if (this.clients.size >= this.maxClients) {
      this.refused++;
      return false;
    }
    const queue = new ClientQueue(socket, this.queueFrames, this.highWaterBytes);
    this.clients.set(socket, { queue, audience });
    this.connections++;
    queue.push(JSON.stringify(frameFor(audience, first())));
    return true;
  }

  close(socket: ClientSocket): void {
    const client = this.clients.get(socket);
    if (!client) return;
    this.closedSent += client.queue.sent;
    this.closedDropped += client.queue.dropped;
    this.clients.delete(socket);
  }

  drain(socket: ClientSocket): void {
    this.clients.get(socket)?.queue.flush();
  }

  broadcast(frame: ServerFrame): void {
    if (this.clients.size === 0) return;
    let operator: string | undefined;
    let viewer: string | undefined;
    for (const { queue, audience } of this.clients.values()) {
      if (audience === "operator") {
        operator ??= JSON.stringify(frame);
        queue.push(operator);
      } else {
        viewer ??= JSON.stringify(frameFor("viewer", frame));
        queue.push(viewer);
      }
    }
  }

  /** Tells each client that lost frames since it was last told (so the page can say so). */
  reportDrops(): void {
    for (const { queue } of this.clients.values()) {
      if (queue.dropped === queue.reportedDropped || queue.length > 0) continue;
      queue.reportedDropped = queue.dropped;
      queue.push(JSON.stringify({ kind: "dropped", total: queue.dropped } satisfies DroppedFrame));
    }
  }

  stats(): WsHubStats {
    let sent = this.closedSent;
    let dropped = this.closedDropped;
    for (const { queue } of this.clients.values()) {
      sent += queue.sent;
      dropped += queue.dropped;
    }
    return { clients: this.clients.size, connections: this.connections, refused: this.refused, framesSent: sent, framesDropped: dropped };
  }
}
