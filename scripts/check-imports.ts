/**
 * The dependency rules of src/ (README "How the modules meet"), checked over the import graph:
 *
 * 1. A module's index.ts is its door: a file outside src/<module>/ imports only
 *    src/<module>/index.ts, never a file behind it (the top-level files of src/ are modules of
 *    one file, and workers/ files are entry points like main.ts).
 * 2. No cycles between modules, type-only imports included: a type import still means one module
 *    cannot be understood, or changed, without the other.
 *
 * `bun scripts/check-imports.ts` prints every violation with the files that make it and exits 1;
 * tests/unit/check-imports.test.ts runs the same check on the tree and on small made-up ones.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** Source text by path relative to the root (src/..., workers/...). */
export type SourceTree = ReadonlyMap<string, string>;

export interface ImportEdge {
  from: string;
  to: string;
}

export interface ImportReport {
  /** imports past another module's index.ts */
  deepImports: ImportEdge[];
  /** each cycle as its modules in order, with one import per step that makes it */
  cycles: Array<{ modules: string[]; edges: ImportEdge[] }>;
}

/** The module a file belongs to: src/<dir>/ for files in a folder, the file itself otherwise. */
export function moduleOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "src" && parts.length > 2) return `src/${parts[1]}`;
  return path.replace(/\.ts$/, "");
}

function isDoor(path: string): boolean {
  const parts = path.split("/");
  return parts[0] !== "src" || parts.length === 2 || (parts.length === 3 && parts[2] === "index.ts");
}

/** Resolves a relative specifier the way the bundler does: file.ts, or dir/index.ts. */
function resolveImport(tree: SourceTree, from: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const base = join(dirname(from), specifier).replace(/\\/g, "/");
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) if (tree.has(candidate)) return candidate;
  return null; // an asset (html, sql, svg) or something outside the checked tree
}

export function importsOf(source: string): string[] {
  // preProcessFile lists static, type-only and dynamic imports and re-exports alike.
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

export function checkImports(tree: SourceTree): ImportReport {
  const deepImports: ImportEdge[] = [];
  // module -> module -> one file-level import that makes the edge
  const graph = new Map<string, Map<string, ImportEdge>>();
  for (const [from, source] of tree) {
    for (const specifier of importsOf(source)) {
      const to = resolveImport(tree, from, specifier);
      if (to === null) continue;
      const a = moduleOf(from);
      const b = moduleOf(to);
      if (a === b) continue;
      if (!isDoor(to)) deepImports.push({ from, to });
      const edges = graph.get(a) ?? new Map<string, ImportEdge>();
      graph.set(a, edges);
      if (!edges.has(b)) edges.set(b, { from, to });
    }
  }
  return { deepImports, cycles: findCycles(graph) };
}

/** Strongly connected components (Tarjan), each reported as one cycle through all of its modules. */
function findCycles(graph: Map<string, Map<string, ImportEdge>>): ImportReport["cycles"] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => {
    const members = new Set(component);
    const start = [...members].sort()[0]!;
    // Walk from the first module back to itself inside the component: the cycle a reader can follow.
    const path = shortestLoop(graph, start, members);
    return { modules: path, edges: path.map((m, i) => graph.get(m)!.get(path[(i + 1) % path.length]!)!) };
  });
}

function shortestLoop(graph: Map<string, Map<string, ImportEdge>>, start: string, members: Set<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

export function formatReport(report: ImportReport): string[] {
  const lines: string[] = [];
  for (const { from, to } of report.deepImports) {
    lines.push(`deep import: ${from} imports ${to}, past ${moduleOf(to)}/index.ts (export what it needs there)`);
  }
  for (const { modules, edges } of report.cycles) {
    lines.push(`cycle: ${[...modules, modules[0]].join(" -> ")}`);
    for (const e of edges) lines.push(`  ${e.from} imports ${e.to}`);
  }
  return lines;
}

function sourceTree(root: string): SourceTree {
  const tree = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const path = `${dir}/${name}`;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) tree.set(path, readFileSync(join(root, path), "utf8"));
    }
  };
  for (const dir of ["src", "workers"]) if (existsSync(join(root, dir))) walk(dir);
  return tree;
}

export function checkTree(root: string): string[] {
  return formatReport(checkImports(sourceTree(resolve(root))));
}

if (import.meta.main) {
  const root = join(import.meta.dir, "..");
  const problems = checkTree(root);
  for (const line of problems) console.error(line);
  const files = sourceTree(root).size;
  if (problems.length > 0) {
    console.error(
      `${problems.filter((l) => !l.startsWith(" ")).length} dependency rule violation(s) in ${files} files under ${relative(process.cwd(), root) || "."}`,
    );
    process.exit(1);
  }
  console.log(`dependency rules hold: ${files} files, every import between modules goes through an index.ts, no cycles`);
}
