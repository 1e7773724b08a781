/**
 * `ringlink import FILE.csv` and `ringlink export [--out FILE.csv]`, with a progress bar.
 *
 * Import is idempotent and resumable. Every row gets a fixed code: its `code` column (an export
 * read back), its `alias`, or one derived from the row's position and content. A row whose code
 * already holds the same URL counts as "existing", so a rerun never duplicates a link, whether it
 * was interrupted or not. A checkpoint file (FILE.csv.progress, the rows done and a hash of the
 * file) lets an interrupted run skip what it finished; `--restart` ignores it.
 *
 * Export walks the links newest first by cursor and checkpoints (FILE.progress: cursor and bytes
 * written) after each page; an interrupted export resumes after the last complete page (the file
 * is cut back to it, so no row appears twice). A finished export run again starts afresh.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { AppError } from "../errors";
import { BASE62 } from "../ids";
import { stateOf, toLinkView, type CreateLinkInput, type LinkService } from "../links";
import type { LinkStore } from "../storage";
import { UsageError } from "./argv";
import { csvRow, parseCsv } from "./csv";
import { progressBar } from "./progress";

const IMPORT_CONCURRENCY = 16;
const CHECKPOINT_EVERY = 200;
const EXPORT_PAGE = 500;

export interface ImportReport {
  created: number;
  existing: number;
  failed: number;
  skipped: number;
  errors: Array<{ row: number; code: string; message: string }>;
}

/** A code from the row's position and content: the same row always maps to the same code. */
export function importCode(fileRow: number, rawRow: string, length: number): string {
  const digest = createHash("sha256").update(`${fileRow}\n${rawRow}`).digest();
  let code = "";
  for (let i = 0; code.length < length; i++) code += BASE62[digest[i % digest.length]! % 62];
  return code;
}

function rowInput(header: string[], row: string[]): { input: CreateLinkInput; code: string | undefined } {
  const get = (name: string): string | undefined => {
    const i = header.indexOf(name);
    const v = i === -1 ? undefined : row[i]?.trim();
    return v === "" ? undefined : v;
  };
  const number = (name: string): number | undefined => (get(name) === undefined ? undefined : Number(get(name)));
  const tags = get("tags")
    ?.split(/[;|]/)
    .map((t) => t.trim())
    .filter((t) => t !== "");
  const forward = get("forwardQuery")?.toLowerCase();
  const input: CreateLinkInput = {
    url: get("url") ?? "",
    alias: get("alias"),
    expiresAt: get("expiresAt"),
    maxClicks: number("maxClicks"),
    redirectType: number("redirectType"),
    password: get("password"),
    tags,
    forwardQuery: forward === undefined ? undefined : forward === "true" || forward === "1" || forward === "yes",
    domain: get("domain"),
  };
  return { input, code: get("code") ?? get("alias") };
}

interface ImportCheckpoint {
  fileHash: string;
  done: number;
}

export async function importCsv(service: LinkService, file: string, opts: { codeLength: number; restart?: boolean; quiet?: boolean }): Promise<ImportReport> {
  const text = readFileSync(file, "utf8");
  const fileHash = createHash("sha256").update(text).digest("hex");
  const rows = parseCsv(text);
  const header = (rows.shift() ?? []).map((h) => h.trim());
  if (!header.includes("url")) throw new UsageError(`${file}: the first line must be a header with at least a 'url' column`);
  const checkpointFile = `${file}.progress`;
  let start = 0;
  if (!opts.restart && existsSync(checkpointFile)) {
    const saved = JSON.parse(readFileSync(checkpointFile, "utf8")) as ImportCheckpoint;
    if (saved.fileHash === fileHash) start = Math.min(saved.done, rows.length);
  }
  const report: ImportReport = { created: 0, existing: 0, failed: 0, skipped: start, errors: [] };
  const bar = opts.quiet ? null : progressBar("importing", rows.length);
  bar?.tick(start);

  let next = start;
  let finished = start;
  const doneRows = new Set<number>();
  const checkpoint = () => writeFileSync(checkpointFile, JSON.stringify({ fileHash, done: finished } satisfies ImportCheckpoint));
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= rows.length) return;
      const { input, code } = rowInput(header, rows[i]!);
      try {
        const presetCode = code ?? importCode(i, rows[i]!.join(","), opts.codeLength);
        const { created } = await service.create(input, { presetCode, isAdmin: true });
        if (created) report.created++;
        else report.existing++;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        report.failed++;
        if (report.errors.length < 1000) report.errors.push({ row: i + 2, code: error.code, message: error.message });
      }
      // The checkpoint is the longest finished prefix: rows after a gap are redone (harmlessly) on resume.
      doneRows.add(i);
      while (doneRows.delete(finished)) finished++;
      if (finished % CHECKPOINT_EVERY === 0) checkpoint();
      bar?.tick();
    }
  };
  await Promise.all(Array.from({ length: IMPORT_CONCURRENCY }, worker));
  bar?.done();
  rmSync(checkpointFile, { force: true });
  return report;
}

const EXPORT_HEADER = [
  "code",
  "url",
  "createdAt",
  "expiresAt",
  "maxClicks",
  "redirectType",
  "tags",
  "forwardQuery",
  "disabled",
  "clicks",
  "status",
  "ownerKey",
  // empty for the default domain, so an export imports into a deployment with another default
  "domain",
];

interface ExportCheckpoint {
  cursor: string | null;
  bytes: number;
  rows: number;
}

export async function exportCsv(store: LinkStore, out: string, opts: { publicBaseUrl: string; quiet?: boolean }): Promise<{ rows: number }> {
  // A pipe (stdout) cannot be cut back or reopened: only files are resumable.
  const resumable = out !== "/dev/stdout";
  const checkpointFile = `${out}.progress`;
  let state: ExportCheckpoint = { cursor: null, bytes: 0, rows: 0 };
  if (resumable && existsSync(checkpointFile) && existsSync(out)) {
    state = JSON.parse(readFileSync(checkpointFile, "utf8")) as ExportCheckpoint;
    // Cut back to the last checkpointed page: a page written after it may be partial.
    if (statSync(out).size > state.bytes) truncateSync(out, state.bytes);
  } else {
    state.bytes = Buffer.byteLength(csvRow(EXPORT_HEADER));
    writeFileSync(out, csvRow(EXPORT_HEADER));
  }
  const total = await store.countLinks();
  const bar = opts.quiet ? null : progressBar("exporting", Math.max(total, state.rows));
  bar?.tick(state.rows);
  const fd = openSync(out, "a");
  try {
    const now = Date.now();
    for (;;) {
      const { records: page } = await store.listLinks({ limit: EXPORT_PAGE, beforeId: state.cursor === null ? undefined : BigInt(state.cursor) });
      if (page.length === 0) break;
      let chunk = "";
      for (const link of page) {
        // The export is the operator's backup (it reads the database directly): every target is in it.
        const view = toLinkView(link, opts.publicBaseUrl, { showTarget: true }, now);
        chunk += csvRow([
          view.code,
          link.url,
          view.createdAt,
          view.expiresAt,
          link.maxClicks,
          link.redirectType,
          link.tags.join(";"),
          link.forwardQuery,
          link.disabled,
          link.clicks,
          stateOf(link, now),
          link.ownerKey,
          link.code === view.code ? null : view.domain,
        ]);
      }
      state.bytes += writeSync(fd, chunk);
      state.rows += page.length;
      state.cursor = page[page.length - 1]!.id.toString();
      if (resumable) writeFileSync(checkpointFile, JSON.stringify(state));
      bar?.tick(page.length);
      if (page.length < EXPORT_PAGE) break;
    }
  } finally {
    closeSync(fd);
  }
  bar?.done();
  if (resumable) rmSync(checkpointFile, { force: true });
  return { rows: state.rows };
}
