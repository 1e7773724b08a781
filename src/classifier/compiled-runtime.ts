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

/** What the binary loads from its own directory: the runtime bundle, its native addon, the model. */
function shippedFiles(home: string): string[] {
  return [
    join(home, ORT_BUNDLE),
    join(home, `node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}`),
    join(home, "models/url-classifier.onnx"),
    join(home, "models/labels.json"),
  ];
}

/**
 * Why the classifier cannot run in this process, or null when it can. A binary copied on its own
 * (without dist/node_modules and dist/models beside it) still serves: classification and the
 * unsafe-URL check are then off, which the caller says once at start-up.
 */
export function classifierMissing(): string | null {
  if (!isCompiledBinary()) return null;
  const missing = shippedFiles(dirname(process.execPath)).filter((f) => !existsSync(f));
  return missing.length === 0 ? null : `not beside the binary: ${missing.join(", ")} (bun run build puts them in dist/)`;
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
