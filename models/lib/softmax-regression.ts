// Multinomial logistic regression trained with per-example AdaGrad on sparse
// rows. AdaGrad suits hashed features: rare buckets keep a large step size
// while frequent ones settle, without a hand-tuned decay schedule.

import type { LinearWeights } from "../../src/classifier/reference.ts";
import { softmax } from "../../src/classifier/reference.ts";

export interface SparseRow {
  readonly index: Int32Array;
  readonly value: Float32Array;
}

export function toSparse(dense: Float32Array): SparseRow {
  const idx: number[] = [];
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) idx.push(i);
  return { index: Int32Array.from(idx), value: Float32Array.from(idx, (i) => dense[i] ?? 0) };
}

export interface TrainOptions {
  readonly inputDim: number;
  readonly numClasses: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
  readonly onEpoch?: (epoch: number, meanLoss: number, trainAccuracy: number) => void;
}

/** mulberry32: tiny seeded PRNG, enough for shuffling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(n: number, rand: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = order[i] as number;
    order[i] = order[j] as number;
    order[j] = tmp;
  }
  return order;
}

export function trainSoftmaxRegression(rows: readonly SparseRow[], labels: readonly number[], opts: TrainOptions): LinearWeights {
  const { inputDim: d, numClasses: c, learningRate: lr, l2 } = opts;
  const w = new Float64Array(d * c);
  const b = new Float64Array(c);
  const gw = new Float64Array(d * c);
  const gb = new Float64Array(c);
  const eps = 1e-8;
  const rand = mulberry32(opts.seed);
  const logits = new Float64Array(c);

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    let loss = 0;
    let correct = 0;
    for (const r of shuffle(rows.length, rand)) {
      const row = rows[r] as SparseRow;
      const y = labels[r] as number;
      logits.set(b);
      for (let k = 0; k < row.index.length; k++) {
        const base = (row.index[k] as number) * c;
        const x = row.value[k] as number;
        for (let j = 0; j < c; j++) logits[j] = (logits[j] as number) + x * (w[base + j] as number);
      }
      const p = softmax(logits);
      loss -= Math.log(Math.max(p[y] as number, 1e-12));
      let best = 0;
      for (let j = 1; j < c; j++) if ((p[j] as number) > (p[best] as number)) best = j;
      if (best === y) correct++;

      for (let j = 0; j < c; j++) {
        const g = (p[j] as number) - (j === y ? 1 : 0);
        gb[j] = (gb[j] as number) + g * g;
        b[j] = (b[j] as number) - (lr * g) / (Math.sqrt(gb[j] as number) + eps);
        for (let k = 0; k < row.index.length; k++) {
          const at = (row.index[k] as number) * c + j;
          const grad = g * (row.value[k] as number) + l2 * (w[at] as number);
          gw[at] = (gw[at] as number) + grad * grad;
          w[at] = (w[at] as number) - (lr * grad) / (Math.sqrt(gw[at] as number) + eps);
        }
      }
    }
    opts.onEpoch?.(epoch, loss / rows.length, correct / rows.length);
  }
  return { inputDim: d, numClasses: c, weight: Float32Array.from(w), bias: Float32Array.from(b) };
}
