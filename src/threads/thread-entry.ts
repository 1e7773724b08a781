/**
 * Where a thread's entry module is. From source it is the file under src/; inside the compiled
 * binary `bun run build` bundles each entry listed here beside main.ts, and the binary's embedded
 * filesystem keeps their paths below src/ (the entry points' common directory).
 */
export const THREAD_ENTRIES = ["links/qr-worker.ts", "analytics/stats-thread.ts"] as const;

export type ThreadEntry = (typeof THREAD_ENTRIES)[number];

export function threadEntryUrl(entry: ThreadEntry): string {
  if (Bun.main.startsWith("/$bunfs/")) return `/$bunfs/root/${entry}`;
  return new URL(`../${entry}`, import.meta.url).href;
}
