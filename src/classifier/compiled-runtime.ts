/**
 * Where the classifier's native runtime and model live. From source they come from node_modules
 * and models/. Inside a `bun build --compile` binary a native addon cannot be loaded from the
 * embedded filesystem, and the binary does not resolve packages from disk, so `bun run build`
 * ships a single-file bundle of onnxruntime-node (no bare imports left) plus its native
 * library and the model beside the binary; this module loads them from the binary's directory.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LoadOptions } from "./url-classifier.ts";

export const ORT_BUNDLE = "node_modules/onnxruntime-node/dist/ort-bundle.cjs";

export function isCompiledBinary(): boolean {
  return Bun.main.startsWith("/$bunfs/");
}

export function classifierLoadOptions(): LoadOptions {
  if (!isCompiledBinary()) return {};
  const home = dirname(process.execPath);
  const bundle = join(home, ORT_BUNDLE);
  if (!existsSync(bundle)) throw new Error(`the classifier runtime is missing: expected ${bundle} beside the binary (run bun run build)`);
  return {
    runtime: require(bundle) as LoadOptions["runtime"],
    modelPath: join(home, "models/url-classifier.onnx"),
    labelsPath: join(home, "models/labels.json"),
  };
}
