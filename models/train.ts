// Trains the URL classifier and writes url-classifier.onnx, labels.json,
// metrics.json and reference-sample.json next to this file.
//
//   bun models/train.ts        train on the train split, evaluate on the held-out domains
//   bun models/train.ts --cv   5-fold cross-validation by domain inside the train split
//                              (for tuning without looking at the test split)

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FEATURE_DIM, FEATURE_VERSION, extractFeatures } from "../src/classifier/features.ts";
import { LABELS } from "../src/classifier/labels.ts";
import { buildOnnxModel } from "../src/classifier/onnx-model.ts";
import { argmax, referencePredict, type LinearWeights } from "../src/classifier/reference.ts";
import { domainFold, loadDataset, splitByDomain, type Row } from "./lib/dataset.ts";
import { evaluate } from "./lib/metrics.ts";
import { toSparse, trainSoftmaxRegression, type SparseRow } from "./lib/softmax-regression.ts";

const SEED = 20240611;
const HYPER = { epochs: 20, learningRate: 0.1, l2: 1e-5 } as const;

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const labelIndex = new Map<string, number>(LABELS.map((l, i) => [l, i]));

// Fixed probes for the ONNX parity test: some look like the data, some are
// deliberately hostile inputs the classifier must survive.
const REFERENCE_URLS = [
  "https://www.bbc.co.uk/news/world-europe-12345678",
  "https://github.com/oven-sh/bun",
  "http://192.168.4.7/paypal/login/verify.php",
  "https://www.amazon.com/dp/B0CHWRXH8B",
  "https://www.allrecipes.com/recipe/10813/best-chocolate-chip-cookies/",
  "https://www.espn.com/nba/scoreboard",
  "https://www.gov.uk/apply-renew-passport",
  "https://www.nhs.uk/conditions/flu/",
  "https://www.booking.com/hotel/fr/le-meurice.html",
  "https://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/",
  "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
  "https://www.reddit.com/r/AskReddit/",
  "https://www.theverge.com/reviews",
  "https://www.nerdwallet.com/article/credit-cards/best-credit-cards",
  "https://xn--pypal-4ve.com/signin",
  "example.com/no-scheme",
  "",
  "not a url at all",
  "http://[::1]:8080/admin",
  "https://例え.jp/パス?q=ü",
  `https://a.b.c.d.e.f.g.h.example.co.uk/${"x".repeat(400)}`,
];

function featurise(rows: readonly Row[]): { x: SparseRow[]; y: number[] } {
  return {
    x: rows.map((r) => toSparse(extractFeatures(r.url))),
    y: rows.map((r) => labelIndex.get(r.label) as number),
  };
}

function fit(rows: readonly Row[], log: boolean): LinearWeights {
  const { x, y } = featurise(rows);
  return trainSoftmaxRegression(x, y, {
    inputDim: FEATURE_DIM,
    numClasses: LABELS.length,
    seed: SEED,
    ...HYPER,
    onEpoch: log ? (epoch, loss, acc) => console.log(`epoch ${String(epoch).padStart(2)}  loss ${loss.toFixed(4)}  train-acc ${acc.toFixed(4)}`) : undefined,
  });
}

function predictAll(weights: LinearWeights, rows: readonly Row[]): number[] {
  return rows.map((r) => argmax(referencePredict(weights, extractFeatures(r.url))));
}

function crossValidate(train: readonly Row[], folds = 5): void {
  const accs: number[] = [];
  const f1s: number[] = [];
  for (let k = 0; k < folds; k++) {
    const inner = train.filter((r) => domainFold(r.domain, folds) !== k);
    const held = train.filter((r) => domainFold(r.domain, folds) === k);
    const weights = fit(inner, false);
    const ev = evaluate(
      LABELS,
      held.map((r) => labelIndex.get(r.label) as number),
      predictAll(weights, held),
    );
    accs.push(ev.accuracy);
    f1s.push(ev.macroF1);
    console.log(
      `fold ${k}: n=${held.length} accuracy ${ev.accuracy.toFixed(4)} macro-F1 ${ev.macroF1.toFixed(4)}  top: ${ev.topConfusions
        .slice(0, 4)
        .map((p) => `${p.actual}->${p.predicted}×${p.count}`)
        .join(", ")}`,
    );
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`cv mean: accuracy ${mean(accs).toFixed(4)} macro-F1 ${mean(f1s).toFixed(4)}`);
}

function main(): void {
  const started = performance.now();
  const rows = loadDataset(here("dataset/urls.tsv"));
  const { train, test } = splitByDomain(rows);
  const domains = (rs: readonly Row[]): number => new Set(rs.map((r) => r.domain)).size;
  console.log(
    `dataset: ${rows.length} rows, ${domains(rows)} domains; train ${train.length} rows / ${domains(train)} domains, test ${test.length} rows / ${domains(test)} domains`,
  );

  if (process.argv.includes("--cv")) {
    crossValidate(train);
    return;
  }

  console.log(`training: ${HYPER.epochs} epochs, lr ${HYPER.learningRate}, l2 ${HYPER.l2}, seed ${SEED}, ${FEATURE_DIM} features`);
  const weights = fit(train, true);

  const ev = evaluate(
    LABELS,
    test.map((r) => labelIndex.get(r.label) as number),
    predictAll(weights, test),
  );
  const onnxBytes = buildOnnxModel(weights, { labels: LABELS, featureVersion: FEATURE_VERSION });
  writeFileSync(here("url-classifier.onnx"), onnxBytes);
  writeFileSync(here("labels.json"), `${JSON.stringify(LABELS, null, 2)}\n`);

  const metrics = {
    split: "test (registrable domains never seen in training)",
    accuracy: ev.accuracy,
    macroF1: ev.macroF1,
    perLabel: ev.perLabel,
    confusionMatrix: ev.confusion,
    topConfusions: ev.topConfusions,
    counts: {
      trainRows: train.length,
      testRows: test.length,
      trainDomains: domains(train),
      testDomains: domains(test),
    },
    seed: SEED,
    hyperparameters: HYPER,
    featureDim: FEATURE_DIM,
    featureVersion: FEATURE_VERSION,
  };
  writeFileSync(here("metrics.json"), `${JSON.stringify(metrics, null, 2)}\n`);

  const samples = REFERENCE_URLS.map((url) => ({ url, probabilities: referencePredict(weights, extractFeatures(url)) }));
  writeFileSync(here("reference-sample.json"), `${JSON.stringify({ featureVersion: FEATURE_VERSION, labels: LABELS, samples }, null, 2)}\n`);

  console.log(
    "top confusions:",
    ev.topConfusions
      .slice(0, 6)
      .map((p) => `${p.actual}->${p.predicted}×${p.count}`)
      .join(", "),
  );
  console.log(`wrote url-classifier.onnx (${onnxBytes.length} bytes), labels.json, metrics.json, reference-sample.json`);
  console.log(`test accuracy ${ev.accuracy.toFixed(4)}  macro-F1 ${ev.macroF1.toFixed(4)}  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

main();
