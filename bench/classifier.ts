// Throughput of UrlClassifier.classify end to end (feature extraction + one
// onnxruntime run per batch), single-threaded, then where a batch's time goes:
// clearing the dense matrix, feature extraction, the model run. For a strict
// one-core figure run it pinned: `taskset -c 0 bun bench/classifier.ts`.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UrlClassifier } from "../src/classifier/index.ts";
import { FEATURE_DIM, writeFeatures } from "../src/classifier/features.ts";
import { INPUT_NAME } from "../src/classifier/onnx-model.ts";

const SECONDS_PER_CASE = 3;
const BATCH_SIZES = [1, 64];

const tsv = readFileSync(fileURLToPath(new URL("../models/dataset/urls.tsv", import.meta.url)), "utf8");
const urls = tsv
  .split("\n")
  .slice(1)
  .filter(Boolean)
  .map((line) => line.split("\t")[0] ?? "");

const classifier = await UrlClassifier.load({ threads: 1 });

async function measure(batchSize: number): Promise<{ urlsPerSecond: number; msPerBatch: number }> {
  let cursor = 0;
  const nextBatch = (): string[] => {
    const batch: string[] = [];
    for (let i = 0; i < batchSize; i++) batch.push(urls[cursor++ % urls.length] ?? "");
    return batch;
  };
  for (let i = 0; i < 20; i++) await classifier.classify(nextBatch()); // warm-up: JIT and ORT allocations
  let done = 0;
  let batches = 0;
  const start = performance.now();
  const deadline = start + SECONDS_PER_CASE * 1000;
  while (performance.now() < deadline) {
    await classifier.classify(nextBatch());
    done += batchSize;
    batches++;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { urlsPerSecond: done / elapsed, msPerBatch: (elapsed * 1000) / batches };
}

for (const size of BATCH_SIZES) {
  const { urlsPerSecond, msPerBatch } = await measure(size);
  console.log(`batch ${String(size).padStart(3)}: ${Math.round(urlsPerSecond).toLocaleString("en-US")} URLs/s (${msPerBatch.toFixed(3)} ms per batch)`);
}

/** The same steps as UrlClassifier.run, timed apart, on one reused matrix of `batchSize` rows. */
async function split(batchSize: number): Promise<void> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(fileURLToPath(new URL("../models/url-classifier.onnx", import.meta.url)), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const matrix = new Float32Array(batchSize * FEATURE_DIM);
  const time = { clear: 0, features: 0, model: 0 };
  let cursor = 0;
  let batches = 0;
  const batch = (row: number) => writeFeatures(urls[cursor++ % urls.length] ?? "", matrix.subarray(row * FEATURE_DIM, (row + 1) * FEATURE_DIM));
  for (let i = 0; i < 20; i++) {
    // warm-up: JIT and ORT allocations
    for (let row = 0; row < batchSize; row++) batch(row);
    await session.run({ [INPUT_NAME]: new ort.Tensor("float32", matrix, [batchSize, FEATURE_DIM]) });
  }
  const deadline = performance.now() + SECONDS_PER_CASE * 1000;
  while (performance.now() < deadline) {
    let t = performance.now();
    matrix.fill(0);
    time.clear += performance.now() - t;
    t = performance.now();
    for (let row = 0; row < batchSize; row++) batch(row);
    time.features += performance.now() - t;
    t = performance.now();
    await session.run({ [INPUT_NAME]: new ort.Tensor("float32", matrix, [batchSize, FEATURE_DIM]) });
    time.model += performance.now() - t;
    batches++;
  }
  const perUrl = (ms: number) => `${((ms * 1000) / (batches * batchSize)).toFixed(1)} µs`;
  console.log(
    `batch ${String(batchSize).padStart(3)} per URL: clear ${perUrl(time.clear)}, features ${perUrl(time.features)}, model run ${perUrl(time.model)}`,
  );
  await session.release();
}

await split(64);
await classifier.close();
