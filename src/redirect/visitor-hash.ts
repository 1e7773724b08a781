/**
 * The unique-visitor hash: salted, rotated daily, and the only trace of an address that leaves
 * the serving process. Two seeded 64-bit wyhash steps (the day's seed over the user agent, then
 * that over the address) rather than one hash of a concatenated `salt|ip|ua|day` string, which
 * copied ~150 characters per click; the day's seed is hashed once a day, not per click.
 */
export class VisitorHasher {
  private day = -1;
  private daySeed = 0n;

  constructor(private readonly salt: string) {}

  /** The visitor's hash for this UTC day (base 36), or null without an address. */
  of(ip: string | null, userAgent: string | null, now: number): string | null {
    if (ip === null) return null;
    const day = Math.floor(now / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.daySeed = Bun.hash.wyhash(`${this.salt}|${day}`);
    }
    return Bun.hash.wyhash(ip, Bun.hash.wyhash(userAgent ?? "", this.daySeed)).toString(36);
  }
}
