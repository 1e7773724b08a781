/**
 * Redirect latency while other clients loop on the most expensive reads: the largest QR codes
 * (PNGs of 1025-2048 px, more sizes than the QR cache holds, so every one is drawn) and the largest
 * listing page (limit=100 with a text filter that matches nothing, the longest scan). Starts the given binary on a free loopback
 * port over a fresh DATA_DIR seeded with N links, then measures a hot redirect at a constant rate
 * (wrk paced with its delay hook) twice: quiet, and with 4 QR loops + 4 listing loops running.
 * The server runs with RATE_LIMIT_QR/READS off, so the limits do not hide the cost being measured
 * (--with-limits keeps their defaults: then the loops mostly get 429).
 *
 *   bun run bench:expensive-reads [--binary dist/ringlink] [--links 200000] [--rate 1000]
 *     [--seconds 10] [--connections 16] [--qr-clients 4] [--list-clients 4] [--list-query 'limit=100&q=zz-no-match'] [--with-limits]
 *   bun run bench:expensive-reads --target http://127.0.0.1:8080   (a server you started; loopback only)
 */
import { $ } from "bun";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkedOption, parseBenchArgs, usageError } from "./lib/args";
import { assertLoopback, loopbackBase, loopbackOrigin } from "./lib/loopback";
import { startProcess, stopProcess } from "./lib/processes";
import { randomCodeScript, runWrk, type LoadResult } from "./lib/wrk";

const root = join(import.meta.dir, "..");
const values = parseBenchArgs(
  `
usage: bun run bench:expensive-reads [options]

Hot-redirect latency at a constant rate, quiet and while clients loop on the largest QR codes and
listing pages. Starts --binary on a free 127.0.0.1 port, or uses --target (loopback only).
`,
  {
    binary: { type: "string", default: join(root, "dist/ringlink"), help: "the ringlink binary to start" },
    target: { type: "string", help: "a server you started instead (127.0.0.1, ::1 or localhost)" },
    links: { type: "string", default: "200000", help: "links to seed" },
    rate: { type: "string", default: "1000", help: "redirects per second (1-20000)" },
    seconds: { type: "string", default: "10", help: "seconds per phase (1-120)" },
    connections: { type: "string", default: "16", help: "wrk connections (1-256)" },
    "qr-clients": { type: "string", default: "4", help: "loops fetching QR PNGs" },
    "list-clients": { type: "string", default: "4", help: "loops fetching listing pages" },
    "list-query": { type: "string", default: "limit=100&q=zz-no-match", help: "query string of the listing loops" },
    out: { type: "string", help: "write the results as JSON here" },
    "with-limits": { type: "boolean", default: false, help: "keep RATE_LIMIT_QR/READS at their defaults" },
  },
);
const target = values.target === undefined ? null : checkedOption("target", values.target, loopbackOrigin);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
if (!(rate > 0 && rate <= 20_000 && seconds > 0 && seconds <= 120 && connections > 0 && connections <= 256)) {
  usageError("--rate 1..20000, --seconds 1..120 and --connections 1..256 keep the load bounded");
}

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

interface LoopStats {
  requests: number;
  statuses: Record<string, number>;
  totalMs: number;
}

/** `clients` loops, each sending its next request when the previous answer is in, until stopped. */
function loop(clients: number, nextUrl: (i: number) => string): { stop(): Promise<LoopStats> } {
  const stats: LoopStats = { requests: 0, statuses: {}, totalMs: 0 };
  let running = true;
  let n = 0;
  const one = async () => {
    while (running) {
      const url = assertLoopback(nextUrl(n++)).href;
      const started = performance.now();
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
      } catch {
        stats.statuses.error = (stats.statuses.error ?? 0) + 1;
      }
      stats.requests++;
      stats.totalMs += performance.now() - started;
    }
  };
  const loops = Array.from({ length: clients }, one);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

async function main() {
  let base: string;
  let stopServer = async () => {};
  let dataDir: string | null = null;
  if (target) {
    base = target;
  } else {
    const binary = resolve(values.binary);
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), "ringlink-expensive-"));
    const limits: Record<string, string> = values["with-limits"] ? {} : { RATE_LIMIT_QR: "off", RATE_LIMIT_READS: "off" };
    const env = { DATA_DIR: dataDir, HOST: "127.0.0.1", ACCESS_LOG: "off", CLASSIFY_LINKS: "false", RATE_LIMIT_CREATE: "off", ...limits };
    console.error(`seeding ${values.links} links with ${binary} seed`);
    await $`${binary} seed ${values.links}`
      .env({ ...process.env, ...env })
      .cwd(dataDir)
      .quiet();
    base = loopbackBase(port);
    const server = await startProcess([binary, "serve", "--port", String(port)], { env, readyUrl: `${base}/healthz`, cwd: dataDir });
    stopServer = () => stopProcess(server);
  }
  try {
    const created = await fetch(assertLoopback(`${base}/api/v1/links`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `https://example.com/hot/${Date.now()}` }),
    });
    if (created.status !== 201) throw new Error(`could not create the hot link: ${created.status} ${await created.text()}`);
    const { code } = (await created.json()) as { code: string };
    const script = randomCodeScript([code]);
    const redirect = () => runWrk(base, { script, connections, seconds, pacedRate: rate });

    await runWrk(base, { script, connections, seconds: 2, pacedRate: rate }); // warm-up
    const quiet = await redirect();

    const qr = loop(Number(values["qr-clients"]), (i) => `${base}/api/v1/links/${code}/qr?format=png&size=${2048 - (i % 1024)}`);
    const list = loop(Number(values["list-clients"]), () => `${base}/api/v1/links?${values["list-query"]}`);
    await Bun.sleep(1_000);
    const loaded = await redirect();
    const [qrStats, listStats] = await Promise.all([qr.stop(), list.stop()]);

    const row = (name: string, r: LoadResult) =>
      `| ${name} | ${r.requestsPerSecond.toFixed(0)} | ${r.latencyP50Ms.toFixed(2)} | ${r.latencyP90Ms.toFixed(2)} | ${r.latencyP99Ms.toFixed(2)} | ${r.latencyP999Ms.toFixed(2)} | ${r.non2xx3xx + r.socketErrors} |`;
    const loopLine = (name: string, s: LoopStats) =>
      `${name}: ${s.requests} requests (${(s.requests / (seconds + 1)).toFixed(1)}/s), mean ${(s.totalMs / Math.max(1, s.requests)).toFixed(1)} ms, statuses ${JSON.stringify(s.statuses)}`;
    console.log(`\nhot redirect at ${rate} req/s (wrk paced, ${connections} connections, ${seconds} s) against ${values.target ?? values.binary}`);
    console.log("| phase | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    console.log(row("quiet", quiet));
    console.log(row(`with ${values["qr-clients"]} QR + ${values["list-clients"]} listing loops`, loaded));
    console.log(
      `\n${loopLine("QR loops (format=png&size=1025..2048, more sizes than the cache holds)", qrStats)}\n${loopLine(`listing loops (${values["list-query"]})`, listStats)}`,
    );
    if (values.out)
      writeFileSync(
        values.out,
        JSON.stringify({ base: values.target ?? values.binary, rate, seconds, connections, quiet, loaded, qr: qrStats, list: listStats }, null, 2),
      );
  } finally {
    await stopServer();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
