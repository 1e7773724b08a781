/**
 * QR codes for the API: rendered on a QR thread (never on the serving thread), cached per text,
 * format and size, and bounded everywhere. A 2048 px PNG once took ~340 ms on the serving thread and
 * four clients asking in a loop held every redirect behind them; now the serving thread only looks
 * up the cache and waits for a reply.
 *
 * Bounds: one thread per process (QR_THREADS), 16 jobs waiting behind it (more answer 503 +
 * Retry-After), 5 s per job; identical requests in flight share one render; 512 cached codes of at
 * most 32 KiB each (≤ 16 MiB; a 2048 px PNG is ~5 KB, an SVG ~1.6 KB).
 */
import { LruCache } from "../lru";
import { ThreadPool, threadEntryUrl } from "../threads";
import type { QrFormat, RenderedQr } from "./link-qr";
import type { QrJob } from "./qr-worker";

export const QR_THREADS = 1;
const QR_MAX_WAITING = 16;
const QR_TIMEOUT_MS = 5_000;
const CACHE_ENTRIES = 512;
const MAX_CACHED_BYTES = 32 * 1024;
/** A code's image never changes; the TTL only lets unused entries go. */
const CACHE_TTL_MS = 24 * 3_600_000;

export class QrCodes {
  private readonly pool = new ThreadPool<QrJob, RenderedQr>({
    name: "QR rendering",
    entry: threadEntryUrl("links/qr-worker.ts"),
    threads: QR_THREADS,
    maxWaiting: QR_MAX_WAITING,
    timeoutMs: QR_TIMEOUT_MS,
  });
  private readonly cache = new LruCache<string, RenderedQr>(CACHE_ENTRIES);
  private readonly inFlight = new Map<string, Promise<RenderedQr>>();

  get stats() {
    return { cached: this.cache.size, ...this.pool.stats };
  }

  render(text: string, format: QrFormat, size: number): Promise<RenderedQr> {
    const key = `${format}:${size}:${text}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.pool.run({ text, format, size }).then((qr) => {
        const bytes = typeof qr.body === "string" ? qr.body.length * 2 : qr.body.byteLength;
        if (bytes <= MAX_CACHED_BYTES) this.cache.set(key, qr, CACHE_TTL_MS);
        return qr;
      });
      const settled = pending.finally(() => this.inFlight.delete(key));
      settled.catch(() => {});
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  close(): void {
    this.pool.close();
  }
}
