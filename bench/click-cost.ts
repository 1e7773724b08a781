/**
 * `bun bench/click-cost.ts`: what a person's click costs the serving thread, measured in process
 * with no HTTP in the way. An embedded runtime answers the same cached redirect N times from a
 * browser User-Agent and a public address, once with clicks published (event, visitor hash,
 * country, aggregation and its SQLite writes, all on this thread as in `serve`) and once with
 * CLICK_EVENTS off; the difference per redirect is the click's cost. Rounds alternate so drift
 * on a shared machine falls on both sides. No network at all.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { createRuntime, type Runtime } from "../src/runtime";
import { parseBenchArgs } from "./lib/args";
import { BROWSER_UA } from "./lib/wrk";

const values = parseBenchArgs("usage: bun bench/click-cost.ts [options]\n\nThe serving thread's cost of one counted click, in process.", {
  redirects: { type: "string", default: "200000", help: "redirects per round" },
  rounds: { type: "string", default: "4", help: "alternating rounds with and without clicks" },
  codes: { type: "string", default: "1000", help: "distinct links the redirects spread over" },
  "per-turn": { type: "string", default: "32", help: "redirects answered per turn of the event loop (a socket read's worth)" },
});
const perTurn = Number(values["per-turn"]);
const perRound = Number(values.redirects);
const rounds = Number(values.rounds);
const codeCount = Number(values.codes);

// A public documentation-free address, so the country lookup runs as for real visitors.
const PEER = { requestIP: () => ({ address: "81.2.69.142", family: "IPv4", port: 50000 }) };

async function runtimeWith(clicks: boolean, dir: string): Promise<{ runtime: Runtime; codes: string[] }> {
  const config = loadConfig({ DATA_DIR: dir, CLICK_EVENTS: String(clicks), ACCESS_LOG: "off", RATE_LIMIT_CREATE: "off", LOG_LEVEL: "warn" });
  const runtime = await createRuntime(config);
  const codes: string[] = [];
  for (let i = 0; i < codeCount; i++) codes.push((await runtime.links.create({ url: `https://example.com/click-cost/${i}` })).link.code);
  return { runtime, codes };
}

/** µs per redirect over one round; the aggregator's writes of the round are inside the timing. */
async function round(runtime: Runtime, codes: string[]): Promise<number> {
  const requests = codes.map((code) => new Request(`http://127.0.0.1/${code}`, { headers: { "user-agent": BROWSER_UA } }));
  const start = performance.now();
  for (let i = 0; i < perRound; i++) {
    const j = i % requests.length;
    runtime.redirect(requests[j]!, codes[j]!, PEER);
    // A server yields to the event loop between socket reads: let the bus deliver as it would.
    if (i % perTurn === perTurn - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  await runtime.flushAnalytics();
  return ((performance.now() - start) * 1000) / perRound;
}

const dirs = [mkdtempSync(join(tmpdir(), "ringlink-click-on-")), mkdtempSync(join(tmpdir(), "ringlink-click-off-"))];
try {
  const on = await runtimeWith(true, dirs[0]!);
  const off = await runtimeWith(false, dirs[1]!);
  // Warm: JIT, the L1 and the memos.
  await round(on.runtime, on.codes);
  await round(off.runtime, off.codes);
  const withClicks: number[] = [];
  const without: number[] = [];
  for (let r = 0; r < rounds; r++) {
    withClicks.push(await round(on.runtime, on.codes));
    without.push(await round(off.runtime, off.codes));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const a = median(withClicks);
  const b = median(without);
  console.log(`redirect with a counted click: ${a.toFixed(2)} µs (rounds ${withClicks.map((x) => x.toFixed(2)).join(", ")})`);
  console.log(`redirect, CLICK_EVENTS off:    ${b.toFixed(2)} µs (rounds ${without.map((x) => x.toFixed(2)).join(", ")})`);
  console.log(`a person's click costs:        ${(a - b).toFixed(2)} µs on the serving thread (${codeCount} links, ${perRound} redirects per round)`);
  await on.runtime.close();
  await off.runtime.close();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
