/**
 * `ringlink seed N [--out FILE]`: inserts N links straight through the LinkStore (no events, no
 * rate limit) for benchmarks and demos, with a progress bar, and writes their codes to FILE.
 * Runs against whatever the configuration selects: the embedded SQLite file or every shard.
 */
import { writeFileSync } from "node:fs";
import { randomCode, type SnowflakeIds } from "../ids";
import { urlHash } from "../links";
import type { LinkStore } from "../storage";
import { progressBar } from "./progress";

const CONCURRENCY = 64;

export async function seedLinks(store: LinkStore, ids: SnowflakeIds, count: number, codeLength: number, out?: string): Promise<string[]> {
  const codes: string[] = new Array(count);
  const bar = progressBar("seeding", count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const url = `https://example.com/seed/${i}`;
      for (;;) {
        const code = randomCode(codeLength);
        const outcome = await store.insert({
          id: ids.next(),
          code,
          url,
          urlHash: urlHash(url),
          isAlias: false,
          canonical: false,
          redirectType: 302,
          createdAt: Date.now(),
          expiresAt: null,
          maxClicks: null,
        });
        if (outcome.kind === "inserted") {
          codes[i] = code;
          break;
        }
      }
      bar.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  bar.done();
  if (out) writeFileSync(out, `${codes.join("\n")}\n`);
  return codes;
}
