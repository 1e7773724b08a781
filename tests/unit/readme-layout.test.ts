/** The README's Layout names every module of src/ and nothing that is not there. */
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const layout = readme.slice(readme.indexOf("## Layout"), readme.indexOf("### How the modules meet"));
const entries = [...layout.matchAll(/^([a-z][\w./-]*)\s{2,}/gm)].map((m) => m[1]!);

test("every folder and top-level file of src/ has its line in the README's Layout", () => {
  const modules = readdirSync(join(root, "src"), { withFileTypes: true }).map((e) => (e.isDirectory() ? `src/${e.name}/` : `src/${e.name}`));
  expect(modules.filter((m) => !entries.includes(m))).toEqual([]);
});

test("everything the Layout names exists", () => {
  expect(entries.length).toBeGreaterThan(30);
  expect(entries.filter((e) => !existsSync(join(root, e)))).toEqual([]);
});
