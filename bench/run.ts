/**
 * `bun run bench`: the benchmarks that exist so far, each printing its figures next to a baseline
 * measured in the same run. Extra arguments go to every benchmark.
 */
import { $ } from "bun";
import { existsSync } from "node:fs";
import { join } from "node:path";

const here = import.meta.dir;
const benches = ["redirect-vs-baseline.ts", "classifier.ts"].filter((f) => existsSync(join(here, f)));
let failed = 0;
for (const bench of benches) {
  console.log(`\n### ${bench}`);
  const result = await $`bun ${join(here, bench)} ${process.argv.slice(2)}`.nothrow();
  if (result.exitCode !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
