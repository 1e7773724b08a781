/**
 * `bun run build`: compiles ringlink into one executable, dist/ringlink, with the dashboard and
 * migrations embedded. Native add-ons that cannot live inside the binary are copied beside it.
 */
import { $ } from "bun";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { THREAD_ENTRIES } from "../src/threads/thread-entry";

const root = join(import.meta.dir, "..");
const dist = join(root, "dist");
mkdirSync(dist, { recursive: true });

const started = performance.now();
const result = await Bun.build({
  // Thread entry modules are bundled as entry points of their own (src/threads/thread-entry.ts).
  entrypoints: [join(root, "src/main.ts"), ...THREAD_ENTRIES.map((entry) => join(root, "src", entry))],
  compile: { outfile: join(dist, "ringlink") },
  minify: true,
  sourcemap: "linked",
  // onnxruntime-node loads a native .node file and its shared library at run time; both are
  // shipped in dist/ beside the binary and loaded from there (see src/classifier).
  external: ["onnxruntime-node"],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}

// The classifier's runtime: onnxruntime-node bundled into one CommonJS file (the binary cannot
// resolve packages from disk), its native addon and shared library, and the model.
const ortSrc = join(root, "node_modules/onnxruntime-node");
const ortDist = join(dist, "node_modules/onnxruntime-node");
rmSync(ortDist, { recursive: true, force: true });
const ortBundle = await Bun.build({
  entrypoints: [join(ortSrc, "dist/index.js")],
  target: "bun",
  format: "cjs",
  outdir: join(ortDist, "dist"),
  naming: "ort-bundle.cjs",
});
if (!ortBundle.success) {
  for (const log of ortBundle.logs) console.error(log);
  process.exit(1);
}
const napi = `bin/napi-v6/${process.platform}/${process.arch}`;
cpSync(join(ortSrc, napi), join(ortDist, napi), { recursive: true, dereference: true });
mkdirSync(join(dist, "models"), { recursive: true });
for (const f of ["url-classifier.onnx", "labels.json"]) cpSync(join(root, "models", f), join(dist, "models", f));

const size = (await $`du -sh ${join(dist, "ringlink")}`.text()).split("\t")[0];
console.log(`built dist/ringlink (${size}) in ${Math.round(performance.now() - started)} ms`);
