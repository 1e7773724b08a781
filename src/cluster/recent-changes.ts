/**
 * Codes written in the last few seconds, by this process or by anyone whose invalidation reached
 * us. Replicas lag their primary (milliseconds on a LAN, more under load): a read of a code that
 * just changed goes to the primary, so a delete seen through invalidation is not undone by a
 * replica that has not replayed it yet, and the stale row is not cached again.
 */
export class RecentChanges {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly windowMs = 5_000,
    private readonly capacity = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  note(code: string): void {
    this.until.delete(code);
    this.until.set(code, this.now() + this.windowMs);
    // Map iterates oldest first: past capacity, the oldest notes go (they are the closest to expiry).
    while (this.until.size > this.capacity) {
      const oldest = this.until.keys().next();
      if (oldest.done) break;
      this.until.delete(oldest.value);
    }
  }

  has(code: string): boolean {
    if (this.until.size === 0) return false;
    const expiry = this.until.get(code);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.until.delete(code);
    return false;
  }
}
