/**
 * Embedded click counting: successful click events are summed per code in memory and written to
 * the store in one transaction per interval, so a burst of redirects costs one write, not thousands.
 */
import type { EventBus } from "../events";
import type { LinkStore } from "../storage";

export class ClickCounter {
  private pending = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: () => void;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    bus: EventBus,
    private readonly store: LinkStore,
    intervalMs = 250,
  ) {
    this.unsubscribe = bus.subscribe("link.clicked", (events) => {
      for (const e of events) {
        if (e.status === "OK") this.pending.set(e.short_code, (this.pending.get(e.short_code) ?? 0) + 1);
      }
    });
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref?.();
  }

  flush(): Promise<void> {
    if (this.pending.size === 0) return this.writing;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = this.writing.then(() =>
      this.store.addClicks(batch).catch((error) => {
        // Keep the counts for the next round rather than lose them.
        for (const [code, n] of batch) this.pending.set(code, (this.pending.get(code) ?? 0) + n);
        console.error(JSON.stringify({ level: "warn", msg: "click counts not written, will retry", error: String(error) }));
      }),
    );
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe();
    await this.flush();
  }
}
