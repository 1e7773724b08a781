/**
 * `bun run build`: compiles ringlink into one executable, dist/ringlink, with the dashboard and
 * migrations embedded. Native add-ons that cannot live inside the binary are copied beside it.
 */
import { $ } from "bun";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const dist = join(root, "dist");
mkdirSync(dist, { recursive: true });

const started = performance.now();
const result = await Bun.build({
  entrypoints: [join(root, "src/main.ts")],
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

const ort = join(root, "node_modules/onnxruntime-node");
if (existsSync(ort)) {
  cpSync(ort, join(dist, "node_modules/onnxruntime-node"), { recursive: true, dereference: true });
  for (const dep of ["onnxruntime-common"]) {
    const src = join(root, "node_modules", dep);
    if (existsSync(src)) cpSync(src, join(dist, "node_modules", dep), { recursive: true, dereference: true });
  }
}
const models = join(root, "models/url-classifier.onnx");
if (existsSync(models)) {
  mkdirSync(join(dist, "models"), { recursive: true });
  for (const f of ["url-classifier.onnx", "labels.json"]) {
    if (existsSync(join(root, "models", f))) cpSync(join(root, "models", f), join(dist, "models", f));
  }
}

const size = (await $`du -sh ${join(dist, "ringlink")}`.text()).split("\t")[0];
console.log(`built dist/ringlink (${size}) in ${Math.round(performance.now() - started)} ms`);
