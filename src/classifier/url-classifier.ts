// Inference wrapper around the ONNX model. onnxruntime-node is imported lazily
// because its native addon can't be loaded from inside a `bun build --compile`
// binary; a caller that ships the runtime separately can pass it in.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FEATURE_DIM, extractBatch } from "./features.ts";
import { INPUT_NAME, OUTPUT_NAME } from "./onnx-model.ts";

type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

export interface ClassifierResult {
  label: string;
  /** Probability of `label`, in [0, 1]. */
  confidence: number;
  /** Probability of every label; sums to 1. */
  scores: Record<string, number>;
}

export interface LoadOptions {
  /** Filesystem path (or file: URL) of the .onnx file; defaults to models/url-classifier.onnx in this repo. */
  modelPath?: string | URL;
  /** Path of the ordered label list; defaults to models/labels.json next to the model. */
  labelsPath?: string | URL;
  /** Intra-op threads for onnxruntime; 1 keeps request handlers from competing for cores. */
  threads?: number;
  /** An already-imported onnxruntime-node module, for hosts that load it from outside a compiled binary. */
  runtime?: Ort;
}

const DEFAULT_MODEL = new URL("../../models/url-classifier.onnx", import.meta.url);
const DEFAULT_LABELS = new URL("../../models/labels.json", import.meta.url);

const toPath = (p: string | URL): string => (p instanceof URL ? fileURLToPath(p) : p);

function readLabels(path: string): string[] {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((l) => typeof l === "string")) {
    throw new Error(`${path}: expected a non-empty JSON array of label strings`);
  }
  return parsed as string[];
}

/** Rows per model run: larger batches are run in slices of this many, each in a reused matrix. */
const RUN_ROWS = 64;

export class UrlClassifier {
  /** feature matrices of RUN_ROWS rows (4 MiB each) waiting for the next run */
  private readonly spare: Float32Array[] = [];

  private constructor(
    private readonly ort: Ort,
    private readonly session: Session,
    readonly labels: readonly string[],
  ) {}

  static async load(opts: LoadOptions = {}): Promise<UrlClassifier> {
    const labels = readLabels(toPath(opts.labelsPath ?? DEFAULT_LABELS));
    const ort = opts.runtime ?? (await import("onnxruntime-node"));
    const threads = opts.threads ?? 1;
    const session = await ort.InferenceSession.create(toPath(opts.modelPath ?? DEFAULT_MODEL), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
    if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
      throw new Error(`model must have input "${INPUT_NAME}" and output "${OUTPUT_NAME}"`);
    }
    return new UrlClassifier(ort, session, labels);
  }

  /**
   * Classifies the URLs in runs of up to RUN_ROWS. Unparsable input is classified from its raw
   * text, never rejected.
   */
  async classify(urls: readonly string[]): Promise<ClassifierResult[]> {
    const results: ClassifierResult[] = [];
    for (let i = 0; i < urls.length; i += RUN_ROWS) results.push(...(await this.run(urls.slice(i, i + RUN_ROWS))));
    return results;
  }

  private async run(urls: readonly string[]): Promise<ClassifierResult[]> {
    if (urls.length === 0) return [];
    const matrix = this.spare.pop() ?? new Float32Array(RUN_ROWS * FEATURE_DIM);
    let output: Awaited<ReturnType<Session["run"]>>;
    try {
      const input = new this.ort.Tensor("float32", extractBatch(urls, matrix), [urls.length, FEATURE_DIM]);
      output = await this.session.run({ [INPUT_NAME]: input });
    } finally {
      // A few runs overlap at most (the create check and the background classifier): keep two.
      if (this.spare.length < 2) this.spare.push(matrix);
    }
    const probs = output[OUTPUT_NAME]?.data;
    const c = this.labels.length;
    if (!(probs instanceof Float32Array) || probs.length !== urls.length * c) {
      throw new Error(`model output does not match ${c} labels`);
    }
    return urls.map((_, row) => {
      const scores: Record<string, number> = {};
      let best = 0;
      for (let j = 0; j < c; j++) {
        const p = probs[row * c + j] ?? 0;
        scores[this.labels[j] as string] = p;
        if (p > (probs[row * c + best] ?? 0)) best = j;
      }
      return { label: this.labels[best] as string, confidence: probs[row * c + best] ?? 0, scores };
    });
  }

  async classifyOne(url: string): Promise<ClassifierResult> {
    const [result] = await this.classify([url]);
    if (!result) throw new Error("classifier returned no result");
    return result;
  }

  /** Frees the native session; the instance must not be used afterwards. */
  async close(): Promise<void> {
    await this.session.release();
  }
}
