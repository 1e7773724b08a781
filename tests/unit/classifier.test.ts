import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadDataset, splitByDomain } from "../../models/lib/dataset.ts";
import { UrlClassifier } from "../../src/classifier/index.ts";
import { FEATURE_DIM, FEATURE_VERSION, extractFeatures } from "../../src/classifier/features";
import { LABELS } from "../../src/classifier/labels";
import { referencePredict } from "../../src/classifier/reference";
import { registrableDomain } from "../../src/classifier/domain";
import { readOnnxModel } from "../../src/classifier/onnx-model.ts";

const modelsDir = (name: string): string => fileURLToPath(new URL(`../../models/${name}`, import.meta.url));

interface ReferenceSample {
  featureVersion: string;
  labels: string[];
  samples: Array<{ url: string; probabilities: number[] }>;
}

const sample = JSON.parse(readFileSync(modelsDir("reference-sample.json"), "utf8")) as ReferenceSample;
const dataset = loadDataset(modelsDir("dataset/urls.tsv"));

let classifier: UrlClassifier;
beforeAll(async () => {
  classifier = await UrlClassifier.load();
});
afterAll(async () => {
  await classifier.close();
});

function maxDifference(scores: Record<string, number>, expected: readonly number[]): number {
  return Math.max(...LABELS.map((label, j) => Math.abs((scores[label] ?? NaN) - (expected[j] ?? NaN))));
}

test("the ONNX model reproduces the probabilities training computed in TypeScript", async () => {
  expect(sample.featureVersion).toBe(FEATURE_VERSION);
  const results = await classifier.classify(sample.samples.map((s) => s.url));
  results.forEach((r, i) => {
    expect(maxDifference(r.scores, sample.samples[i]?.probabilities ?? [])).toBeLessThan(1e-4);
  });
});

test("referencePredict on the shipped ONNX weights agrees with onnxruntime on unseen URLs", async () => {
  const { weights, meta } = readOnnxModel(readFileSync(modelsDir("url-classifier.onnx")));
  expect(meta.featureVersion).toBe(FEATURE_VERSION);
  const urls = [
    "https://www.lemonde.fr/international/article/2024/05/01/example_123_4.html",
    "https://news.ycombinator.com/item?id=1",
    "http://203.0.113.9/office365/login.php",
    "https://shop.example.com/products/blue-mug",
    "https://www.twitch.tv/directory",
  ];
  const results = await classifier.classify(urls);
  results.forEach((r, i) => {
    expect(maxDifference(r.scores, referencePredict(weights, extractFeatures(urls[i] ?? "")))).toBeLessThan(1e-4);
  });
});

test("a BBC news article is classified as news", async () => {
  expect((await classifier.classifyOne("https://www.bbc.co.uk/news/world-europe-12345678")).label).toBe("news");
});

test("obvious URLs get their obvious labels", async () => {
  const cases: Array<[string, string]> = [
    ["https://github.com/oven-sh/bun", "developer"],
    ["https://github.com/microsoft/TypeScript/pull/12345", "developer"],
    ["http://192.168.4.7/paypal/login/verify.php", "suspicious"],
    ["https://paypal-account-locked.web.app/signin", "suspicious"],
    ["https://www.allrecipes.com/recipe/12345/easy-banana-bread/", "food"],
    ["https://www.espn.com/nfl/story/_/id/40123456/chiefs-win-super-bowl", "sports"],
  ];
  const results = await classifier.classify(cases.map(([url]) => url));
  expect(results.map((r) => r.label)).toEqual(cases.map(([, label]) => label));
});

test("every input in a batch gets a result, including empty and unparsable ones", async () => {
  const inputs = ["", "   ", "not a url at all", "http://[broken", "https://%zz%", "https://www.gov.uk/vehicle-tax"];
  const results = await classifier.classify(inputs);
  expect(results).toHaveLength(inputs.length);
  for (const r of results) {
    expect(LABELS as readonly string[]).toContain(r.label);
    expect(r.confidence).toBe(r.scores[r.label] ?? NaN);
    expect(Object.values(r.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  }
  expect(await classifier.classify([])).toEqual([]);
});

test("feature vectors have a fixed width and are deterministic", () => {
  for (const url of ["", "https://github.com/oven-sh/bun", "x".repeat(5000), "https://例え.jp/パス"]) {
    const a = extractFeatures(url);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(FEATURE_DIM);
    expect(extractFeatures(url)).toEqual(a);
    expect(a.every(Number.isFinite)).toBe(true);
  }
});

test("registrable domains respect multi-part and hosting suffixes", () => {
  expect(registrableDomain("https://www.bbc.co.uk/news")).toBe("bbc.co.uk");
  expect(registrableDomain("https://ocw.mit.edu/courses/")).toBe("mit.edu");
  expect(registrableDomain("https://www.unimelb.edu.au/study")).toBe("unimelb.edu.au");
  expect(registrableDomain("https://phish-kit.web.app/login")).toBe("phish-kit.web.app");
  expect(registrableDomain("http://192.168.4.7/x")).toBe("192.168.4.7");
  expect(registrableDomain("example.com/no-scheme")).toBe("example.com");
});

test("the train/test split puts no registrable domain on both sides", () => {
  const { train, test: held } = splitByDomain(dataset);
  const trainDomains = new Set(train.map((r) => r.domain));
  expect(held.filter((r) => trainDomains.has(r.domain))).toEqual([]);
  const share = held.length / dataset.length;
  expect(share).toBeGreaterThan(0.1);
  expect(share).toBeLessThan(0.3);
});

test("the dataset has at least 120 rows per label and 3000 rows in total", () => {
  expect(dataset.length).toBeGreaterThanOrEqual(3000);
  for (const label of LABELS) expect(dataset.filter((r) => r.label === label).length).toBeGreaterThanOrEqual(120);
});

test("labels.json and the model metadata match the fixed label set", () => {
  const fixed = [
    "news",
    "social",
    "shopping",
    "technology",
    "developer",
    "finance",
    "entertainment",
    "sports",
    "health",
    "education",
    "travel",
    "government",
    "food",
    "suspicious",
  ];
  expect([...LABELS] as string[]).toEqual(fixed);
  expect(JSON.parse(readFileSync(modelsDir("labels.json"), "utf8"))).toEqual(fixed);
  expect([...readOnnxModel(readFileSync(modelsDir("url-classifier.onnx"))).meta.labels]).toEqual(fixed);
  expect(sample.labels).toEqual(fixed);
});
