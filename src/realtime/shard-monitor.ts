/**
 * Per-shard health and key distribution for the Nodes tab. Health is this process's view of its
 * dependencies (the same probe /readyz uses), refreshed in the background every few seconds so the
 * once-a-second report never waits on a database. Key distribution buckets the newest links by the
 * ring storage routes with (the composition root hands in its `shardOf`): a sample, refreshed only while someone is watching,
 * because counting every row of every shard would cost a scan per refresh.
 */
import type { DependencyHealth } from "../cluster";
import type { DependencyView, ShardsView, TopologyView } from "./wire";

export const KEY_SAMPLE = 1_000;

export interface ShardMonitorDeps {
  shards: number;
  /** the shard of a code, by the ring the store routes with */
  shardOf(code: string): number;
  readiness(): Promise<DependencyHealth[]>;
  isReady(deps: DependencyHealth[]): boolean;
  /** codes of the newest links, newest first */
  newestCodes(limit: number): Promise<string[]>;
  /** live links in the store (summed over shards): an index count, cheap enough for every few seconds */
  countLinks(): Promise<number>;
  /** the current shard count when the map can change (a reshard adds or removes shards) */
  shardCount?(): number;
  topology?(): TopologyView | null;
}

function dependencyView(d: DependencyHealth): DependencyView {
  return { name: d.name, kind: d.kind, up: d.up, breaker: d.breaker ?? null, latency_ms: Math.round(d.latencyMs * 100) / 100 };
}

export class ShardMonitor {
  private deps: DependencyHealth[] = [];
  private ready = true;
  private keys: number[];
  private sample = 0;
  private changed = true;
  private refreshing = false;
  private total: number | null = null;
  private counting = false;

  constructor(private readonly d: ShardMonitorDeps) {
    this.keys = new Array<number>(Math.max(1, d.shards)).fill(0);
  }

  /** false until a sample found any link: an empty cluster is re-sampled without waiting its turn */
  hasSample(): boolean {
    return this.sample > 0;
  }

  health(): { ready: boolean; depsDown: number } {
    return { ready: this.ready, depsDown: this.deps.filter((d) => !d.up).length };
  }

  async refreshHealth(): Promise<void> {
    try {
      this.deps = await this.d.readiness();
      this.ready = this.d.isReady(this.deps);
    } catch {
      this.ready = false;
    }
    this.changed = true;
  }

  async refreshKeys(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const codes = await this.d.newestCodes(KEY_SAMPLE);
      const keys = new Array<number>(Math.max(1, this.d.shardCount?.() ?? this.keys.length)).fill(0);
      for (const code of codes) keys[this.d.shardOf(code)]!++;
      this.keys = keys;
      this.sample = codes.length;
      this.changed = true;
    } catch {
      // the store is unreachable: keep the last distribution, health already says why
    } finally {
      this.refreshing = false;
    }
  }

  /** Counts the store's links again (one count at a time; a failure keeps the last count). */
  async refreshTotal(): Promise<void> {
    if (this.counting) return;
    this.counting = true;
    try {
      const total = await this.d.countLinks();
      if (total !== this.total) this.changed = true;
      this.total = total;
    } catch {
      // unreachable store: health says so; the last count stays
    } finally {
      this.counting = false;
    }
  }

  view(): ShardsView {
    // SQLite (embedded mode) has no shard number: it is the one shard.
    const shardOf = (d: DependencyHealth) => d.shard ?? (d.kind === "sqlite" ? 0 : undefined);
    const shards = this.keys.map((keys, shard) => ({
      shard,
      nodes: this.deps.filter((d) => shardOf(d) === shard).map(dependencyView),
      keys,
      share: this.sample === 0 ? 0 : Math.round((keys / this.sample) * 10_000) / 10_000,
    }));
    const view: ShardsView = {
      sample: this.sample,
      links_total: this.total,
      shards,
      other: this.deps.filter((d) => shardOf(d) === undefined).map(dependencyView),
    };
    if (this.d.topology) view.topology = this.d.topology();
    return view;
  }

  /** The view if it changed since the last call (ticks carry it only then). */
  takeChanged(): ShardsView | undefined {
    if (!this.changed) return undefined;
    this.changed = false;
    return this.view();
  }
}
