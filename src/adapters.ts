/**
 * Chooses the storage, shared-cache and invalidation adapters for the configured mode. The rest of
 * the runtime is the same in both modes; this is the only place that knows which adapters exist.
 */
import { join } from "node:path";
import { LocalInvalidation, type Invalidation, type LinkCache } from "./cache";
import type { Config } from "./config";
import { ConfigError } from "./config";
import type { RateLimiter } from "./ratelimit";
import { SqliteLinkStore, type DependencyHealth, type LinkStore } from "./storage";

export interface Adapters {
  store: LinkStore;
  l2: LinkCache | null;
  invalidation: Invalidation;
  /** shared buckets (Redis) in distributed mode; absent means in-process buckets */
  rateLimiter?: RateLimiter;
  /** Whether the instance can serve, given each dependency's state (feeds /readyz). */
  isReady(deps: DependencyHealth[]): boolean;
  /** Health of dependencies other than the store (cache nodes, broker). */
  extraHealth(): Promise<DependencyHealth[]>;
  close(): Promise<void>;
}

export async function createAdapters(config: Config, invalidation?: Invalidation): Promise<Adapters> {
  if (config.mode === "distributed") {
    throw new ConfigError("DATABASE_NODES", "distributed mode is not part of this build yet; unset it to run embedded");
  }
  const store = new SqliteLinkStore(join(config.dataDir, "ringlink.sqlite"));
  return {
    store,
    l2: null,
    invalidation: invalidation ?? new LocalInvalidation(),
    isReady: (deps) => deps.every((d) => d.up),
    extraHealth: async () => [],
    close: async () => {},
  };
}
