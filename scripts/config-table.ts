/**
 * The README's configuration table comes from SETTINGS in src/config.ts. `bun scripts/config-table.ts`
 * prints it; with `--write` it replaces the table under "## Configuration" in README.md. The unit
 * test tests/unit/config.test.ts fails while the two differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configTableMarkdown } from "../src/config";

/** The table's lines in README text: the first Markdown table after the "## Configuration" heading. */
export function readmeConfigTable(readme: string): { start: number; end: number; table: string } {
  const section = readme.indexOf("\n## Configuration\n");
  if (section === -1) throw new Error('README.md has no "## Configuration" section');
  const start = readme.indexOf("\n| variable ", section) + 1;
  if (start === 0) throw new Error("README.md's configuration section has no table starting with '| variable'");
  let end = start;
  while (end < readme.length && readme[end] === "|") end = readme.indexOf("\n", end) + 1 || readme.length;
  return { start, end, table: readme.slice(start, end).trimEnd() };
}

if (import.meta.main) {
  const file = join(import.meta.dir, "../README.md");
  const table = configTableMarkdown();
  if (!process.argv.includes("--write")) {
    console.log(table);
  } else {
    const readme = readFileSync(file, "utf8");
    const { start, end } = readmeConfigTable(readme);
    writeFileSync(file, `${readme.slice(0, start)}${table}\n${readme.slice(end)}`);
    console.log("README.md: configuration table rewritten");
  }
}
