// Throughput of UrlClassifier.classify end to end (feature extraction + one
// onnxruntime run per batch), single-threaded. For a strict one-core figure run
// it pinned: `taskset -c 0 bun bench/classifier.ts`.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UrlClassifier } from "../src/classifier/index.ts";

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
await classifier.close();
