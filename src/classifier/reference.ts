// Pure-TS forward pass of the exported model. Training evaluates with it and the
// parity test checks onnxruntime against it, so both see the same float32
// weights that end up in the ONNX file.

export interface LinearWeights {
  readonly inputDim: number;
  readonly numClasses: number;
  /** Row-major [inputDim, numClasses], the layout of the ONNX MatMul initializer. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] ?? -Infinity);
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp((logits[i] ?? 0) - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Class probabilities for one feature vector; skips zero features since vectors are sparse. */
export function referencePredict(weights: LinearWeights, features: Float32Array): number[] {
  const { inputDim, numClasses, weight, bias } = weights;
  if (features.length !== inputDim) throw new Error(`expected ${inputDim} features, got ${features.length}`);
  const logits = Array.from(bias);
  for (let i = 0; i < inputDim; i++) {
    const x = features[i] ?? 0;
    if (x === 0) continue;
    const row = i * numClasses;
    for (let c = 0; c < numClasses; c++) logits[c] = (logits[c] ?? 0) + x * (weight[row + c] ?? 0);
  }
  return softmax(logits);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}
