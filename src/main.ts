#!/usr/bin/env bun
/** ringlink's single entry point: parses argv and dispatches to a mode. */
import { availableParallelism } from "node:os";
import {
  UsageError,
  commandHelp,
  environmentHelp,
  exportCsv,
  importCsv,
  openLinkClient,
  parseArgs,
  runKeysCommand,
  runLinksCommand,
  runReshardCommand,
  runTopologyCommand,
  runVerifyCommand,
  seedLinks,
} from "./cli";
import { closeTopologyPools, resolveBootTopology, type Topology } from "./cluster";
import { ConfigError, loadConfig, type Flags } from "./config";
import { InstanceLock, InstanceLockError, runSupervisor, serveProcess } from "./server";
import { createRuntime } from "./runtime";
import { createEventTopics } from "./events";
import { SnowflakeIds } from "./ids";
import { configureLog } from "./log";
import { VERSION, checkBunVersion } from "./version";

const HELP = `ringlink ${VERSION} — a distributed, high-throughput URL shortener

Usage:
  ringlink serve [--port N] [--processes N]   HTTP API, redirects and dashboard
  ringlink migrate                            apply sql/ migrations to every database (+ Kafka topics)
  ringlink worker analytics                   consume click events from Kafka into the aggregates
  ringlink worker classifier                  consume link.created from Kafka, write each link's category
  ringlink worker webhooks                    consume every event topic from Kafka, deliver them to the webhooks
  ringlink seed N [--out FILE]                insert N links (benchmarks, demos); codes to FILE
  ringlink keys create --name N --scopes create,manage,stats,admin [--expires 30d]
  ringlink keys list [--json] | revoke ID     API keys (the token is printed once)
  ringlink links list|show|create|update|delete|stats [--url URL --token T] [--json]
                                              links of the configured store, or of a running instance
  ringlink import FILE.csv [--restart]        create links from CSV (resumable, no duplicates on rerun)
  ringlink export [--out FILE.csv]            every live link as CSV (resumable with --out)
  ringlink topology [--json]                  the stored shard map (version, nodes, move in progress)
  ringlink reshard --database-nodes LIST --redis-nodes LIST [--dry-run]
                                              move the running cluster to a new shard map (online)
  ringlink reshard --from-embedded DATA_DIR   copy an embedded deployment into the cluster
  ringlink verify [--repair]                  check every shard (wrong shard, duplicates, replicas,
                                              Redis, orphan aggregates); exit 1 on findings
  ringlink --help | --version | COMMAND --help | COMMAND SUBCOMMAND --help

serve runs one process by default; --processes N starts a supervisor and N processes that share
the port (reusePort). With no configuration ringlink runs embedded: SQLite under DATA_DIR, an
in-process cache and event bus.

Environment:
${environmentHelp()}
`;

const VALUE_FLAGS = new Set([
  "port",
  "processes",
  "process-index",
  "out",
  "name",
  "scopes",
  "expires",
  // links
  "url",
  "token",
  "limit",
  "cursor",
  "tag",
  "q",
  "alias",
  "max-clicks",
  "redirect-type",
  "tags",
  "password",
  "target",
  "from",
  "to",
  "interval",
  "top",
  // reshard
  "database-nodes",
  "redis-nodes",
  "from-embedded",
]);
const BOOL_FLAGS = new Set([
  "help",
  "version",
  "restart",
  "json",
  "all",
  "forward-query",
  "no-forward-query",
  "new-code",
  "disable",
  "enable",
  "dry-run",
  "repair",
]);

/** A reader that went away (`ringlink export | head`) is not a failure: stop quietly. */
function isClosedPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/** How to start this same program again: the compiled binary is its own interpreter. */
function selfArgv(): string[] {
  return Bun.main.startsWith("/$bunfs/") ? [process.execPath] : [process.execPath, Bun.main];
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, VALUE_FLAGS, BOOL_FLAGS);
  if (args.flags.version) {
    console.log(`ringlink ${VERSION} (bun ${Bun.version})`);
    return 0;
  }
  if (args.command === "help" || (args.flags.help && args.command === undefined) || args.command === undefined) {
    // `ringlink help links create` reads like `ringlink links create --help`.
    const help = args.command === "help" && args.rest[0] !== undefined ? commandHelp(args.rest[0], args.rest[1]) : undefined;
    console.log(help ?? HELP);
    return args.command === undefined && !args.flags.help ? 2 : 0;
  }
  if (args.flags.help) {
    const help = commandHelp(args.command, args.rest[0]);
    if (help === undefined) throw new UsageError(`unknown command '${args.command}' (see ringlink --help)`);
    console.log(help);
    return 0;
  }
  const bun = checkBunVersion();
  if (!bun.ok) {
    console.error(`ringlink: ${bun.message}; install it with: npm i -g bun@${(await import("./version")).REQUIRED_BUN}`);
    return 1;
  }
  if (bun.message) console.error(`ringlink: warning: ${bun.message}`);

  const flags: Flags = {
    port: args.flags.port as string | undefined,
    processes: args.flags.processes as string | undefined,
    processIndex: args.flags["process-index"] as string | undefined,
  };
  if (args.command === "serve" && flags.processes === "auto") flags.processes = String(availableParallelism());
  let config = loadConfig(process.env, flags);
  configureLog({ format: config.logFormat });
  // The stored topology, not the env, says which shards exist (env only bootstraps an empty cluster).
  let topology: Topology | null = null;
  if (config.mode === "distributed") {
    topology = await resolveBootTopology(config.shards, config.redisNodes);
    const redis = topology.members.map((m) => m.redis);
    config = {
      ...config,
      shards: topology.members.map((m) => ({ primary: m.primary, replica: m.replica })),
      redisNodes: redis.every((r): r is string => r !== null) ? redis : [],
    };
  }

  switch (args.command) {
    case "serve": {
      const supervised = process.env.RINGLINK_SUPERVISED === "1" && flags.processIndex !== undefined;
      // The supervisor (or a lone server) holds the port's lock; its children run under it.
      const lock = supervised ? undefined : await InstanceLock.acquire({ dataDir: config.dataDir, port: config.port });
      if (config.processes > 1 && !supervised) {
        return runSupervisor({
          processes: config.processes,
          childArgv: (i) => [...selfArgv(), "serve", "--port", String(config.port), "--process-index", String(i)],
          lock,
        });
      }
      try {
        return await serveProcess(config, { supervised, lock });
      } catch (error) {
        lock?.release();
        throw error;
      }
    }
    case "migrate": {
      const runtime = await createRuntime(config, { role: "tool" });
      const reports = await runtime.store.migrate((line) => console.log(line));
      for (const r of reports) {
        console.log(
          `${r.target}: ${r.applied.length} applied${r.applied.length ? ` (${r.applied.join(", ")})` : ""}, ${r.alreadyApplied.length} already applied`,
        );
      }
      await runtime.close();
      if (topology !== null && topology.version === 0) {
        // The tables exist now: an empty cluster stores its env map as topology v1.
        const stored = await resolveBootTopology(config.shards, config.redisNodes);
        console.log(`topology v${stored.version}: ${stored.members.length} shard(s)`);
        await closeTopologyPools();
      }
      if (config.kafkaBrokers.length > 0) console.log(await createEventTopics(config));
      return 0;
    }
    case "worker": {
      if (args.rest[0] === "classifier") {
        const { runClassifierWorker } = await import("../workers/classifier");
        return runClassifierWorker(config);
      }
      if (args.rest[0] === "webhooks") {
        const { runWebhookWorker } = await import("../workers/webhooks");
        return runWebhookWorker(config);
      }
      if (args.rest[0] !== "analytics") throw new UsageError(`unknown worker '${args.rest[0] ?? ""}' (ringlink worker analytics | classifier | webhooks)`);
      const { runAnalyticsWorker } = await import("../workers/analytics");
      return runAnalyticsWorker(config);
    }
    case "keys": {
      const runtime = await createRuntime(config, { role: "tool" });
      try {
        return await runKeysCommand(runtime.store.apiKeys, args);
      } finally {
        await runtime.close();
      }
    }
    case "links": {
      const client = await openLinkClient(config, args.flags, process.env.RINGLINK_TOKEN);
      try {
        return await runLinksCommand(client, args);
      } finally {
        await client.close();
      }
    }
    case "import": {
      const file = args.rest[0];
      if (file === undefined) throw new UsageError("import needs a CSV file: ringlink import links.csv");
      // Worker bits of tools (15) keep imported ids apart from every serving process's.
      const runtime = await createRuntime({ ...config, processIndex: 15 }, { role: "tool" });
      try {
        const r = await importCsv(runtime.links, file, { codeLength: config.codeLength, restart: args.flags.restart === true });
        console.log(
          `imported ${file}: ${r.created} created, ${r.existing} already there, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped (done before)` : ""}`,
        );
        for (const e of r.errors.slice(0, 20)) console.error(`  row ${e.row}: ${e.code}: ${e.message}`);
        if (r.errors.length > 20) console.error(`  ... and ${r.failed - 20} more`);
        return r.failed > 0 ? 1 : 0;
      } finally {
        await runtime.close();
      }
    }
    case "export": {
      const runtime = await createRuntime(config, { role: "tool" });
      try {
        const out = (args.flags.out as string | undefined) ?? "/dev/stdout";
        const r = await exportCsv(runtime.store, out, { publicBaseUrl: config.publicBaseUrl, quiet: out === "/dev/stdout" });
        if (out !== "/dev/stdout") console.log(`exported ${r.rows} links to ${out}`);
        return 0;
      } finally {
        await runtime.close();
      }
    }
    case "seed": {
      const count = Number(args.rest[0]);
      if (!Number.isInteger(count) || count < 1) throw new UsageError("seed needs a positive number of links: ringlink seed 100000");
      const runtime = await createRuntime(config, { role: "tool" });
      const started = performance.now();
      // Worker bits differ from any serving process's (index 15 is reserved for tools) so ids never clash.
      await seedLinks(runtime.store, new SnowflakeIds(config.nodeId, 15), count, config.codeLength, args.flags.out as string | undefined);
      console.log(`seeded ${count} links in ${((performance.now() - started) / 1000).toFixed(1)} s${args.flags.out ? ` (codes in ${args.flags.out})` : ""}`);
      await runtime.close();
      return 0;
    }
    case "reshard":
      return runReshardCommand(config, topology, args);
    case "verify":
      return runVerifyCommand(topology, { repair: args.flags.repair === true, json: args.flags.json === true });
    case "topology": {
      try {
        return await runTopologyCommand(topology, args.flags.json === true);
      } finally {
        await closeTopologyPools();
      }
    }
    default:
      throw new UsageError(`unknown command '${args.command}' (see ringlink --help)`);
  }
}

process.stdout.on("error", (error) => {
  if (isClosedPipe(error)) process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isClosedPipe(error)) process.exit(0);
    if (error instanceof ConfigError) console.error(`ringlink: invalid configuration: ${error.message}`);
    else if (error instanceof InstanceLockError) console.error(`ringlink: refusing to start: ${error.message}`);
    else if (error instanceof UsageError) console.error(`ringlink: ${error.message}`);
    else console.error(`ringlink: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
