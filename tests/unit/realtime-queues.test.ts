import { describe, expect, test } from "bun:test";
import { ClientQueue, type ClientSocket } from "../../src/realtime/client-queue";
import { WsHub } from "../../src/realtime/ws-hub";
import type { ServerFrame } from "../../src/realtime/wire";

/** A socket whose peer reads `readable` bytes and then stops, like a slow browser tab. */
class FakeSocket implements ClientSocket {
  readyState = 1;
  buffered = 0;
  received: string[] = [];

  constructor(private readonly bufferLimit = Infinity) {}

  send(data: string): number {
    if (this.readyState !== 1) return 0;
    this.received.push(data);
    this.buffered += data.length;
    return this.buffered > this.bufferLimit ? -1 : data.length;
  }

  getBufferedAmount(): number {
    return this.buffered;
  }

  /** the peer catches up: everything buffered is written */
  catchUp(): void {
    this.buffered = 0;
  }
}

const frame = (i: number): ServerFrame => ({
  kind: "events",
  events: [{ event_id: `e${i}`, type: "read", status: "OK", node: "n", redis: null, db: null, short_code: "abcdefg", latency_ms: 0, ts: i }],
});

describe("ClientQueue", () => {
  test("writes straight through while the client keeps up", () => {
    const socket = new FakeSocket();
    const q = new ClientQueue(socket, 4, 1_000);
    for (let i = 0; i < 10; i++) {
      q.push(`f${i}`);
      socket.catchUp();
    }
    expect(socket.received).toHaveLength(10);
    expect(q.length).toBe(0);
    expect(q.dropped).toBe(0);
  });

  test("a slow client holds at most `capacity` frames; the oldest are dropped and counted", () => {
    const socket = new FakeSocket();
    const q = new ClientQueue(socket, 4, 5);
    for (let i = 0; i < 100; i++) q.push(`frame-${i}`);
    // the first frame went out and filled the socket past 5 bytes; 4 wait, 95 were dropped
    expect(socket.received).toEqual(["frame-0"]);
    expect(q.length).toBe(4);
    expect(q.dropped).toBe(95);
    for (let i = 0; i < 4; i++) {
      socket.catchUp();
      q.flush(); // what the socket's drain callback does
    }
    expect(socket.received).toEqual(["frame-0", "frame-96", "frame-97", "frame-98", "frame-99"]);
  });

  test("a closed socket refuses frames; they count as dropped, never as sent", () => {
    const socket = new FakeSocket();
    socket.readyState = 3;
    const q = new ClientQueue(socket, 2, 100);
    q.push("a");
    q.push("b");
    q.push("c");
    expect(q.sent).toBe(0);
    expect(q.dropped).toBe(1);
    expect(q.length).toBe(2);
  });
});

describe("WsHub", () => {
  test("broadcasts one serialised frame to every client and starts each with its first frame", () => {
    const hub = new WsHub();
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.open(a, () => frame(0));
    hub.open(b, () => frame(0));
    hub.broadcast(frame(1));
    expect(a.received).toHaveLength(2);
    expect(b.received[1]).toBe(a.received[1]!);
    expect(JSON.parse(a.received[0]!).events[0].event_id).toBe("e0");
  });

  test("a slow client does not hold back a fast one, and is told how much it lost once it catches up", () => {
    const hub = new WsHub({ queueFrames: 3, highWaterBytes: 10 });
    const fast = new FakeSocket();
    const slow = new FakeSocket(1);
    hub.open(fast, () => frame(0));
    hub.open(slow, () => frame(0));
    for (let i = 1; i <= 50; i++) {
      hub.broadcast(frame(i));
      fast.catchUp();
      hub.drain(fast);
    }
    expect(fast.received).toHaveLength(51);
    expect(slow.received).toHaveLength(1);
    expect(hub.stats().framesDropped).toBe(47);
    slow.catchUp();
    hub.drain(slow);
    slow.catchUp();
    hub.drain(slow);
    slow.catchUp();
    hub.drain(slow);
    slow.catchUp();
    hub.reportDrops();
    const last = JSON.parse(slow.received[slow.received.length - 1]!);
    expect(last).toEqual({ kind: "dropped", total: 47 });
  });

  test("refuses clients past its maximum and forgets closed ones (counters keep their totals)", () => {
    const hub = new WsHub({ maxClients: 1 });
    const a = new FakeSocket();
    expect(hub.open(a, () => frame(0))).toBe(true);
    expect(hub.open(new FakeSocket(), () => frame(0))).toBe(false);
    hub.close(a);
    expect(hub.size).toBe(0);
    expect(hub.stats()).toMatchObject({ clients: 0, connections: 1, refused: 1, framesSent: 1 });
  });
});
