/** A webhook receiver on loopback (Bun.serve, port 0 unless told) that records what it gets and answers as a test says. */
import { verifyWebhook } from "../../src/webhooks/webhook-signature";

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  at: number;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** one entry per distinct webhook-id */
  unique(): Received[];
  verified(secret: string): boolean;
  stop(): Promise<void>;
}

export type Answer = (r: Received, nth: number) => Response | Promise<Response>;

export function startReceiver(answer: Answer = () => new Response("ok"), port = 0): Receiver {
  const received: Received[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(request) {
      const body = await request.text();
      const r: Received = {
        id: request.headers.get("webhook-id") ?? "",
        timestamp: request.headers.get("webhook-timestamp") ?? "",
        signature: request.headers.get("webhook-signature") ?? "",
        body,
        json: JSON.parse(body),
        at: Date.now(),
      };
      received.push(r);
      return answer(r, received.length);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/hook`,
    port: server.port as number,
    received,
    unique() {
      const seen = new Map<string, Received>();
      for (const r of received) if (!seen.has(r.id)) seen.set(r.id, r);
      return [...seen.values()];
    },
    verified(secret) {
      return received.every((r) => verifyWebhook(secret, { id: r.id, timestamp: r.timestamp, signature: r.signature }, r.body));
    },
    async stop() {
      await server.stop(true);
    },
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
