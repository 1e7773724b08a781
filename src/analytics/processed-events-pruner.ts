/**
 * Forgets old processed event ids on a timer. The dedupe window must outlast the longest time an
 * event can take to arrive twice (a spool replayed after a long broker outage); the table would
 * otherwise grow by one row per click forever.
 */
import type { AnalyticsStore } from "./analytics-store";
import { log } from "../log";

export function startProcessedEventsPruner(store: AnalyticsStore, retentionMs: number, everyMs = 10 * 60_000): () => void {
  let running = false;
  const prune = async () => {
    if (running) return;
    running = true;
    try {
      const removed = await store.pruneProcessed(Date.now() - retentionMs);
      if (removed > 0) log.info("pruned processed event ids", { removed });
    } catch (error) {
      log.warn("pruning processed event ids failed", { error });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void prune(), everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
