// Webhook deliveries one dispatcher (what `ringlink worker webhooks`, or an embedded server, runs)
// sustains against a backlog: N deliveries queued over many links, sent to receivers on loopback
// in a separate process, until all are delivered. Bounded by count and by a 120 s deadline.
//
//   bun bench/webhooks.ts                      # SQLite queue (embedded mode)
//   bun bench/webhooks.ts --postgres           # shard 0 of DATABASE_NODES (the worker's queue)
//   bun bench/webhooks.ts --help               # the options
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { SqliteLinkStore } from "../src/storage";
import { PostgresWebhookStore, SqliteWebhookStore, WebhookDispatcher, WebhookMetrics, type WebhookStore } from "../src/webhooks";
import { parseBenchArgs, usageError } from "./lib/args";
import { assertLoopback, assertLoopbackServices, loopbackBase } from "./lib/loopback";

const values = parseBenchArgs(
  `
usage: bun bench/webhooks.ts [options]

Webhook deliveries per second one dispatcher sustains against a queued backlog, sent to receivers
on 127.0.0.1 in a process of their own; bounded by --count and a 120 s deadline.
`,
  {
    count: { type: "string", default: "5000", help: "deliveries queued (at most 100000)" },
    links: { type: "string", default: "200", help: "links the deliveries are spread over" },
    receivers: { type: "string", default: "1", help: "receiving endpoints (at most 16)" },
    concurrency: { type: "string", default: "4", help: "deliveries in flight per receiver" },
    postgres: { type: "boolean", default: false, help: "queue on shard 0 of DATABASE_NODES instead of SQLite" },
  },
);
const number = (name: string, raw: string) => {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : usageError(`--${name} takes a whole number above 0`);
};
const COUNT = Math.min(number("count", values.count), 100_000);
const LINKS = number("links", values.links);
const RECEIVERS = Math.min(number("receivers", values.receivers), 16);
const CONCURRENCY = number("concurrency", values.concurrency);
const postgresQueue = values.postgres;
if (postgresQueue) assertLoopbackServices(process.env);
const DEADLINE_MS = 120_000;

// The receivers run in a process of their own so they do not share the dispatcher's thread.
const receiverCode = `
let n = 0;
const servers = Array.from({ length: ${RECEIVERS} }, () => Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (r) => { await r.arrayBuffer(); n++; return new Response("ok"); } }));
console.log(JSON.stringify(servers.map((s) => s.port)));
// Gone with the bench: its stdin closes when the bench exits, however it exits.
for await (const _ of Bun.stdin.stream()) {}
process.exit(0);
`;
const receiver = Bun.spawn(["bun", "-e", receiverCode], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
const reader = receiver.stdout.getReader();
const first = new TextDecoder().decode((await reader.read()).value);
const ports = JSON.parse(first.trim().split("\n")[0]!) as number[];
const urls = ports.map((p) => assertLoopback(`${loopbackBase(p)}/hook`).href);

let store: WebhookStore;
let cleanup = async () => {};
if (postgresQueue) {
  const config = loadConfig(process.env);
  if (config.mode !== "distributed") throw new Error("--postgres needs DATABASE_NODES (scripts/cluster.sh env)");
  store = new PostgresWebhookStore({ url: config.shards[0]!.primary, connectTimeoutMs: 2_000, poolMax: 4 });
} else {
  const dir = mkdtempSync(join(tmpdir(), "ringlink-bench-hooks-"));
  const links = new SqliteLinkStore(join(dir, "ringlink.sqlite"));
  store = new SqliteWebhookStore(join(dir, "ringlink.sqlite"));
  cleanup = async () => {
    await links.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

const run = Date.now().toString(36);
const ids = urls.map((_, i) => `wh_bench${run}${i}`);
for (const [i, url] of urls.entries()) {
  await store.insertWebhook({
    id: ids[i]!,
    ownerKey: null,
    url,
    events: ["link.updated"],
    clickSample: 1,
    secret: "whsec_YmVuY2htYXJrLXNlY3JldC0wMTIzNDU2Nzg5",
    createdAt: Date.now(),
  });
}
const payload = JSON.stringify({
  type: "link.updated",
  timestamp: new Date().toISOString(),
  data: { code: "x", url: "https://example.com/a/long/enough/path?with=query" },
});
const now = Date.now();
const perHook = Math.ceil(COUNT / ids.length);
for (const id of ids) {
  const rows = Array.from({ length: perHook }, (_, i) => ({
    webhookId: id,
    eventId: `${run}-${i}`,
    code: `c${i % LINKS}`,
    topic: "link.updated" as const,
    seq: i,
    payload,
    enqueuedAt: now,
  }));
  for (let i = 0; i < rows.length; i += 1_000) await store.enqueue(rows.slice(i, i + 1_000));
}
const total = perHook * ids.length;

const metrics = new WebhookMetrics();
const dispatcher = new WebhookDispatcher({
  store,
  metrics,
  timeoutMs: 5_000,
  concurrency: CONCURRENCY,
  retryBaseMs: 1_000,
  retryWindowMs: 3_600_000,
  pollMs: 50,
});
const started = performance.now();
dispatcher.start();
let lastReport = started;
while (metrics.counts.delivered + metrics.counts.failed < total && performance.now() - started < DEADLINE_MS) {
  await Bun.sleep(20);
  if (performance.now() - lastReport > 5_000) {
    lastReport = performance.now();
    console.error(`... ${metrics.counts.delivered} delivered, ${dispatcher.inFlight} in flight`);
  }
}
const seconds = (performance.now() - started) / 1000;
await dispatcher.stop();
for (const id of ids) await store.deleteWebhook(id);
await store.close();
await cleanup();
receiver.kill();

const result = {
  queue: postgresQueue ? "postgres shard 0" : "sqlite",
  receivers: RECEIVERS,
  concurrencyPerReceiver: CONCURRENCY,
  links: LINKS,
  queued: total,
  delivered: metrics.counts.delivered,
  retried: metrics.counts.retry,
  seconds: Number(seconds.toFixed(2)),
  deliveriesPerSecond: Math.round(metrics.counts.delivered / seconds),
};
console.log(JSON.stringify(result));
if (metrics.counts.delivered < total) process.exitCode = 1;
