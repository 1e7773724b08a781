/** `ringlink import` / `ringlink export`: idempotent, resumable, no duplicates on rerun; the CSV reader. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvRow, parseCsv } from "../../src/cli/csv";
import { exportCsv, importCsv } from "../../src/cli/import-export";
import { startTestApp, type TestApp } from "../support/embedded-app";

let app: TestApp;
let dir: string;
beforeEach(async () => {
  app = await startTestApp({ UNSAFE_URL_THRESHOLD: "off" });
  dir = mkdtempSync(join(tmpdir(), "ringlink-csv-"));
});
afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (n: number) =>
  `${["url,alias,tags,maxClicks", ...Array.from({ length: n }, (_, i) => `https://example.com/import/${i},,t${i % 3};all,`)].join("\n")}\n`;

describe("CSV", () => {
  test("quoted fields with commas, quotes and newlines round-trip", () => {
    const values = ["a,b", 'say "hi"', "two\nlines", "", "plain"];
    expect(parseCsv(csvRow(values) + csvRow(["x"]))).toEqual([values, ["x"]]);
    expect(parseCsv("\ufeffurl\r\nhttps://e.example/\r\n")).toEqual([["url"], ["https://e.example/"]]);
  });
});

describe("ringlink import", () => {
  test("imports every row once; a rerun creates nothing new", async () => {
    const file = join(dir, "links.csv");
    writeFileSync(file, `${rows(50)}not a url,,,\nhttps://example.com/aliased,imported-alias,,3\n`);
    const first = await importCsv(app.runtime.links, file, { codeLength: 7, quiet: true });
    expect(first).toMatchObject({ created: 51, existing: 0, failed: 1 });
    expect(first.errors[0]).toMatchObject({ row: 52, code: "invalid_url" });
    const again = await importCsv(app.runtime.links, file, { codeLength: 7, quiet: true });
    expect(again).toMatchObject({ created: 0, existing: 51, failed: 1 });
    expect(await app.runtime.store.countLinks()).toBe(51);
    const aliased = await app.runtime.store.findByCode("imported-alias");
    expect(aliased).toMatchObject({ url: "https://example.com/aliased", maxClicks: 3 });
    expect(existsSync(`${file}.progress`)).toBe(false);
  });

  test("an interrupted import resumes from its checkpoint, and rows redone after it are not duplicated", async () => {
    const file = join(dir, "resume.csv");
    const text = rows(40);
    writeFileSync(file, text);
    const fileHash = new Bun.CryptoHasher("sha256").update(text).digest("hex");
    // As if a first run had imported 30 rows and been killed after checkpointing 20.
    writeFileSync(join(dir, "first30.csv"), `${text.split("\n").slice(0, 31).join("\n")}\n`);
    await importCsv(app.runtime.links, join(dir, "first30.csv"), { codeLength: 7, quiet: true });
    writeFileSync(`${file}.progress`, JSON.stringify({ fileHash, done: 20 }));
    const resumed = await importCsv(app.runtime.links, file, { codeLength: 7, quiet: true });
    expect(resumed).toMatchObject({ skipped: 20, created: 10, existing: 10, failed: 0 });
    expect(await app.runtime.store.countLinks()).toBe(40);
  });

  test("a code column (an export read back) keeps the codes", async () => {
    const file = join(dir, "codes.csv");
    writeFileSync(file, "code,url\nkeep-me-1,https://example.com/k1\n");
    await importCsv(app.runtime.links, file, { codeLength: 7, quiet: true });
    expect((await app.request("/keep-me-1")).headers.get("location")).toBe("https://example.com/k1");
    writeFileSync(file, "code,url\nkeep-me-1,https://example.com/DIFFERENT\n");
    const clash = await importCsv(app.runtime.links, file, { codeLength: 7, quiet: true, restart: true });
    expect(clash.errors[0]!.code).toBe("code_taken");
  });
});

describe("ringlink export", () => {
  test("writes every live link once; an interrupted export resumes without repeating rows", async () => {
    const file = join(dir, "in.csv");
    writeFileSync(file, rows(1200));
    await importCsv(app.runtime.links, file, { codeLength: 7, quiet: true });
    const out = join(dir, "out.csv");
    const full = await exportCsv(app.runtime.store, out, { publicBaseUrl: "http://localhost:8080", quiet: true });
    expect(full.rows).toBe(1200);
    const complete = parseCsv(readFileSync(out, "utf8"));
    expect(complete[0]).toContain("code");
    expect(new Set(complete.slice(1).map((r) => r[0])).size).toBe(1200);

    // Interrupt after the first page: keep its checkpoint, and leave half a page of junk behind it.
    const firstPage = complete
      .slice(0, 501)
      .map((r) => csvRow(r))
      .join("");
    const cursor = (await app.runtime.store.findByCode(complete[500]![0]!))!.id.toString();
    writeFileSync(out, `${firstPage}partial,row,written,before,the,crash\n`);
    writeFileSync(`${out}.progress`, JSON.stringify({ cursor, bytes: Buffer.byteLength(firstPage), rows: 500 }));
    const resumed = await exportCsv(app.runtime.store, out, { publicBaseUrl: "http://localhost:8080", quiet: true });
    expect(resumed.rows).toBe(1200);
    const after = parseCsv(readFileSync(out, "utf8")).slice(1);
    expect(after).toHaveLength(1200);
    expect(new Set(after.map((r) => r[0])).size).toBe(1200);
    expect(existsSync(`${out}.progress`)).toBe(false);
  }, 30_000);
});
