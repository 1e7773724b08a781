/**
 * A cluster of a test's own (scripts/cluster.sh with its own CLUSTER_DIR), for suites that change
 * the shard count and so cannot share the runner's cluster. Its ports sit 500 above the runner's
 * CLUSTER_PORT_OFFSET, so CI (offset 0) and parallel developers (their own offsets) never collide.
 * No Kafka: these suites need PostgreSQL pairs and Redis only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./cluster";

const SCRIPT = join(ROOT, "scripts/cluster.sh");

export interface OwnCluster {
  dir: string;
  offset: number;
  /** DATABASE_NODES / REDIS_NODES of the cluster at its current size */
  env(): Promise<Record<string, string>>;
  /** `SHARDS=n cluster.sh up`: grows or shrinks the running cluster */
  resize(shards: number): Promise<string>;
  sh(args: string[], extra?: Record<string, string>): Promise<{ code: number; out: string }>;
  down(): Promise<void>;
}

export async function startOwnCluster(shards: number): Promise<OwnCluster> {
  const offset = Number(process.env.CLUSTER_PORT_OFFSET ?? 0) + 500;
  const dir = mkdtempSync(join(tmpdir(), "ringlink-own-cluster-"));
  const base = { ...process.env, CLUSTER_DIR: dir, CLUSTER_PORT_OFFSET: String(offset), WITH_KAFKA: "0" } as Record<string, string>;
  delete base.SHARDS;
  const sh = async (args: string[], extra: Record<string, string> = {}) => {
    const proc = Bun.spawn(["bash", SCRIPT, ...args], { cwd: ROOT, env: { ...base, ...extra }, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, out: out + err };
  };
  const up = async (n: number) => {
    const r = await sh(["up"], { SHARDS: String(n) });
    if (r.code !== 0) throw new Error(`cluster.sh up (SHARDS=${n}) failed:\n${r.out}`);
    return r.out;
  };
  await up(shards);
  return {
    dir,
    offset,
    async env() {
      const r = await sh(["env"]);
      if (r.code !== 0) throw new Error(`cluster.sh env failed:\n${r.out}`);
      const vars: Record<string, string> = {};
      for (const m of r.out.matchAll(/^export (\w+)='([^']*)'$/gm)) vars[m[1]!] = m[2]!;
      return { DATABASE_NODES: vars.DATABASE_NODES ?? "", REDIS_NODES: vars.REDIS_NODES ?? "", KAFKA_BROKERS: "" };
    },
    resize: up,
    sh,
    async down() {
      await sh(["down", "--purge"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
