/**
 * Keeps a process's ShardRouter on the newest stored topology: a check of every known primary
 * every TOPOLOGY_CHECK_INTERVAL_MS (1 s by default), plus a Redis pub/sub notice a reshard sends
 * after each write, so a new version is in use well within 2 s without a restart.
 */
import { Redis } from "ioredis";
import type { ShardRouter } from "./shard-router";
import { readStoredTopology, type VerifySummary } from "./topology-table";
import { shardIndices, type MoveProgress, type Topology } from "./topology";

export const TOPOLOGY_CHANNEL = "rl:topology";

export class TopologyWatcher {
  private timer: ReturnType<typeof setInterval> | undefined;
  private subscriber: Redis | null = null;
  private checking: Promise<void> | null = null;
  /** what the last check read beside the map: a running move's progress, the last verify summary */
  progress: MoveProgress | null = null;
  verify: VerifySummary | null = null;

  constructor(
    private readonly router: ShardRouter,
    private readonly intervalMs: number,
    private readonly onNewVersion: (t: Topology) => void = () => {},
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref?.();
    const redis = this.router.topology.members.find((m) => m.redis !== null)?.redis;
    if (redis) {
      const sub = new Redis(redis, { lazyConnect: false, maxRetriesPerRequest: null, enableOfflineQueue: true, connectTimeout: 1000 });
      sub.on("error", () => {});
      sub.on("message", () => void this.check());
      void sub.subscribe(TOPOLOGY_CHANNEL).catch(() => {});
      this.subscriber = sub;
    }
  }

  /** Reads every primary of both maps; applies a newer version at once. */
  check(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const t = this.router.topology;
        const urls = shardIndices(t).map((i) => (t.members[i] ?? t.move!.from[i]!).primary);
        const { topology, progress, verify } = await readStoredTopology(urls);
        this.progress = progress;
        this.verify = verify;
        if (topology && this.router.apply(topology)) this.onNewVersion(topology);
      } catch {
        // Next tick tries again; a failed check leaves the current map in use.
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}

/** Tells every watcher to look now (best effort: the periodic check catches up anyway). */
export async function announceTopology(redisUrls: ReadonlyArray<string | null>): Promise<void> {
  const url = redisUrls.find((u) => u !== null);
  if (!url) return;
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000 });
  pub.on("error", () => {});
  try {
    await pub.connect();
    await pub.publish(TOPOLOGY_CHANNEL, "changed");
  } catch {
    // the periodic check covers a missing notice
  } finally {
    pub.disconnect();
  }
}
