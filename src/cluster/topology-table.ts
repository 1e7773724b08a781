/**
 * The stored topology: one row in the `topology` table of every primary. Reads ask every primary
 * they can reach and keep the highest version; a write is a compare-and-set on every primary of
 * both maps (it succeeds only where the stored version is not newer than the one the writer read),
 * so two concurrent reshards cannot both win, and a primary that was down catches up on the next
 * write or read-repair.
 */
import postgres from "postgres";
import { parseTopology, type MoveProgress, type Topology } from "./topology";

type Sql = postgres.Sql<Record<string, never>>;

const pools = new Map<string, Sql>();

/** Small pools of their own (one connection per primary), kept for the process's life. */
function poolOf(url: string): Sql {
  let sql = pools.get(url);
  if (!sql) {
    sql = postgres(url, { max: 1, connect_timeout: 2, idle_timeout: 20, onnotice: () => {}, connection: { application_name: "ringlink-topology" } });
    pools.set(url, sql);
  }
  return sql;
}

export async function closeTopologyPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end({ timeout: 1 }).catch(() => {})));
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref?.())]);
}

/** The row on one primary; null when it has none (or no table yet). Throws when unreachable. */
interface StoredRow {
  topology: Topology | null;
  progress: MoveProgress | null;
  verify: VerifySummary | null;
}

/** What `ringlink verify` (or the analytics worker's periodic run) found last. */
export interface VerifySummary {
  at: number;
  version: number;
  found: Record<string, number>;
  repaired: number;
}

export async function readTopologyAt(url: string, ms = 1500): Promise<StoredRow> {
  const sql = poolOf(url);
  try {
    const rows = await timeout(
      sql<{ document: string; progress: string | null; verify: string | null }[]>`SELECT document, progress, verify FROM topology WHERE id = 1`,
      ms,
    );
    const row = rows[0];
    if (!row) return { topology: null, progress: null, verify: null };
    return {
      topology: parseTopology(row.document),
      progress: row.progress ? (JSON.parse(row.progress) as MoveProgress) : null,
      verify: row.verify ? (JSON.parse(row.verify) as VerifySummary) : null,
    };
  } catch (error) {
    // 42P01: the table does not exist yet (migrations not applied): nothing stored.
    if ((error as { code?: string }).code === "42P01") return { topology: null, progress: null, verify: null };
    throw error;
  }
}

/** Highest stored version over the given primaries (null: none stored anywhere reachable). */
export async function readStoredTopology(urls: readonly string[]): Promise<StoredRow & { unreachable: string[] }> {
  const answers = await Promise.all(
    urls.map((u) =>
      readTopologyAt(u).then(
        (a) => ({ u, a }),
        () => ({ u, a: null }),
      ),
    ),
  );
  let best: Topology | null = null;
  let progress: MoveProgress | null = null;
  let verify: VerifySummary | null = null;
  const unreachable: string[] = [];
  for (const { u, a } of answers) {
    if (a === null) {
      unreachable.push(u);
      continue;
    }
    if (a.topology && (best === null || a.topology.version > best.version)) best = a.topology;
    if (a.progress && (progress === null || a.progress.updatedAt > progress.updatedAt)) progress = a.progress;
    if (a.verify && (verify === null || a.verify.at > verify.at)) verify = a.verify;
  }
  return { topology: best, progress, verify, unreachable };
}

export class TopologyConflict extends Error {}

/**
 * Writes `next` (version = expected + 1) on every primary whose stored version is at most
 * `expected`; a primary holding a newer version fails the write. Every listed primary must answer:
 * a map written to only some of them could be outvoted later by a stale one.
 */
export async function writeTopology(urls: readonly string[], expected: number, next: Topology): Promise<void> {
  if (next.version !== expected + 1) throw new Error("a topology write must bump the version by one");
  const doc = JSON.stringify(next);
  const now = Date.now();
  const results = await Promise.allSettled(
    [...new Set(urls)].map(async (url) => {
      const sql = poolOf(url);
      const rows = await timeout(
        sql<{ version: string }[]>`
          INSERT INTO topology (id, version, document, progress, updated_at) VALUES (1, ${next.version}, ${doc}, NULL, ${now})
          ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document, progress = NULL, updated_at = EXCLUDED.updated_at
          WHERE topology.version <= ${expected} OR topology.version = EXCLUDED.version
          RETURNING version`,
        5000,
      );
      if (rows.length === 0) throw new TopologyConflict(`a newer topology than v${expected} is stored on ${url.replace(/\/\/[^@]*@/, "//")}`);
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  const conflict = failed.find((f) => f.reason instanceof TopologyConflict);
  if (conflict) throw conflict.reason;
  if (failed.length > 0)
    throw new Error(`topology v${next.version} not written on ${failed.length} primary(ies): ${String((failed[0]!.reason as Error).message)}`);
}

/** The latest verify summary, beside the topology (for /metrics and the dashboard; no version bump). */
export async function writeVerifySummary(urls: readonly string[], summary: unknown): Promise<void> {
  const doc = JSON.stringify(summary);
  await Promise.allSettled(urls.map((u) => timeout(poolOf(u)`UPDATE topology SET verify = ${doc} WHERE id = 1`, 2000)));
}

/** Progress of a running move, for `ringlink topology` and the dashboard (no version bump). */
export async function writeProgress(urls: readonly string[], progress: MoveProgress): Promise<void> {
  const doc = JSON.stringify(progress);
  await Promise.allSettled(urls.map((u) => timeout(poolOf(u)`UPDATE topology SET progress = ${doc} WHERE id = 1`, 2000)));
}
