// Loads models/dataset/urls.tsv and splits it by registrable domain, so the
// test split measures how the model does on sites it has never seen.

import { readFileSync } from "node:fs";
import { registrableDomain } from "../../src/classifier/domain.ts";
import { fnv1a } from "../../src/classifier/features.ts";
import { isUrlLabel, type UrlLabel } from "../../src/classifier/labels.ts";

export interface Row {
  readonly url: string;
  readonly label: UrlLabel;
  readonly domain: string;
}

export function loadDataset(path: string): Row[] {
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines[0] !== "url\tlabel") throw new Error(`${path}: expected header "url<TAB>label"`);
  const rows: Row[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === "") return;
    const [url, label, extra] = line.split("\t");
    if (!url || !label || extra !== undefined) throw new Error(`${path}:${i + 2}: expected two columns`);
    if (!isUrlLabel(label)) throw new Error(`${path}:${i + 2}: unknown label "${label}"`);
    rows.push({ url, label, domain: registrableDomain(url) });
  });
  return rows;
}

/** Salt for the split hash; changing it reshuffles which domains are held out. */
export const SPLIT_SALT = "ringlink-split-v1";
const TEST_PER_MILLE = 200;

export function isTestDomain(domain: string): boolean {
  return fnv1a(`${SPLIT_SALT}:${domain}`) % 1000 < TEST_PER_MILLE;
}

export function splitByDomain(rows: readonly Row[]): { train: Row[]; test: Row[] } {
  const train: Row[] = [];
  const test: Row[] = [];
  for (const r of rows) (isTestDomain(r.domain) ? test : train).push(r);
  return { train, test };
}

/** Deterministic k-fold assignment by domain, for tuning on the training split only. */
export function domainFold(domain: string, folds: number): number {
  return fnv1a(`${SPLIT_SALT}:fold:${domain}`) % folds;
}
