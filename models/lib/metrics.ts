// Classification metrics for metrics.json. Rounded so the file is stable and
// readable; the rounding is far below any difference worth reporting.

export interface LabelMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface Evaluation {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perLabel: Record<string, LabelMetrics>;
  /** confusion[true][predicted] */
  readonly confusion: Record<string, Record<string, number>>;
  readonly topConfusions: Array<{ actual: string; predicted: string; count: number }>;
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

export function evaluate(labels: readonly string[], actual: readonly number[], predicted: readonly number[]): Evaluation {
  const n = labels.length;
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  actual.forEach((a, i) => {
    const row = m[a] as number[];
    const p = predicted[i] as number;
    row[p] = (row[p] as number) + 1;
  });
  const perLabel: Record<string, LabelMetrics> = {};
  const confusion: Record<string, Record<string, number>> = {};
  const pairs: Array<{ actual: string; predicted: string; count: number }> = [];
  let f1Sum = 0;
  let correct = 0;
  labels.forEach((label, i) => {
    const row = m[i] as number[];
    const tp = row[i] as number;
    const support = row.reduce((s, v) => s + v, 0);
    const predictedCount = m.reduce((s, r) => s + (r[i] as number), 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perLabel[label] = { precision: round(precision), recall: round(recall), f1: round(f1), support };
    f1Sum += f1;
    correct += tp;
    confusion[label] = Object.fromEntries(labels.map((l, j) => [l, row[j] as number]));
    labels.forEach((other, j) => {
      const count = row[j] as number;
      if (j !== i && count > 0) pairs.push({ actual: label, predicted: other, count });
    });
  });
  pairs.sort((a, b) => b.count - a.count || a.actual.localeCompare(b.actual) || a.predicted.localeCompare(b.predicted));
  return {
    accuracy: round(actual.length === 0 ? 0 : correct / actual.length),
    macroF1: round(f1Sum / n),
    perLabel,
    confusion,
    topConfusions: pairs.slice(0, 10),
  };
}
