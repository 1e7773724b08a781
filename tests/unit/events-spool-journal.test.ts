/** The bounded on-disk journal that holds events while the broker is away. */
import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpoolJournal } from "../../src/events/spool-journal";

const dirs: string[] = [];
const open: SpoolJournal[] = [];
function journal(dir: string, maxBytes = 1024 * 1024, segmentBytes?: number): SpoolJournal {
  const j = new SpoolJournal(dir, { maxBytes, segmentBytes, fsyncIntervalMs: 10 });
  open.push(j);
  return j;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "ringlink-spool-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const j of open.splice(0)) j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Reads and commits everything, in chunks of `chunk` lines. */
function drain(j: SpoolJournal, chunk = 7): string[] {
  const out: string[] = [];
  for (;;) {
    const r = j.read(chunk, 64 * 1024);
    if (r.lines.length === 0) return out;
    out.push(...r.lines);
    j.commit(r.next);
  }
}

describe("spool journal", () => {
  test("replays lines in the order they were appended, across segments", () => {
    const j = journal(tempDir(), 1024 * 1024, 4096);
    const lines = Array.from({ length: 500 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i % 50)}"}`);
    for (let i = 0; i < lines.length; i += 37) expect(j.append(lines.slice(i, i + 37))).toBe(Math.min(37, lines.length - i));
    expect(readdirSync(j.dir).filter((n) => n.endsWith(".spool")).length).toBeGreaterThan(3);
    expect(drain(j)).toEqual(lines);
    expect(j.isEmpty).toBe(true);
    // Delivered segments are deleted: an idle journal holds no data.
    expect(readdirSync(j.dir).filter((n) => n.endsWith(".spool"))).toEqual([]);
    expect(j.sizeBytes).toBe(0);
  });

  test("reading does not consume: lines come back until they are committed", () => {
    const j = journal(tempDir());
    j.append(["a", "b", "c"]);
    expect(j.read(2, 1024).lines).toEqual(["a", "b"]);
    expect(j.read(2, 1024).lines).toEqual(["a", "b"]);
    const r = j.read(2, 1024);
    j.commit(r.next);
    expect(j.read(10, 1024).lines).toEqual(["c"]);
  });

  test("is bounded: lines past maxBytes are refused (a suffix of the batch), and room comes back after replay", () => {
    const j = journal(tempDir(), 100);
    const line = "x".repeat(19); // 20 bytes with its newline
    expect(j.append([line, line, line])).toBe(3);
    expect(j.append([line, line, line])).toBe(2); // 100 bytes: the last one does not fit
    expect(j.sizeBytes).toBe(100);
    expect(j.append(["y"])).toBe(0);
    expect(drain(j)).toHaveLength(5);
    expect(j.append([line])).toBe(1);
  });

  test("survives a restart: unread lines and the cursor are kept", () => {
    const dir = tempDir();
    const a = new SpoolJournal(dir, { maxBytes: 1 << 20 });
    a.append(["1", "2", "3", "4"]);
    const r = a.read(2, 1024);
    a.commit(r.next);
    a.close();
    const b = journal(dir);
    expect(b.isEmpty).toBe(false);
    b.append(["5"]);
    expect(drain(b)).toEqual(["3", "4", "5"]);
  });

  test("a torn last line (crash mid-write) is cut off on open; whole lines survive", () => {
    const dir = tempDir();
    const a = new SpoolJournal(dir, { maxBytes: 1 << 20 });
    a.append(["whole-1", "whole-2"]);
    a.close();
    const segment = readdirSync(dir).find((n) => n.endsWith(".spool"))!;
    appendFileSync(join(dir, segment), '{"torn":');
    const b = journal(dir);
    b.append(["after"]);
    expect(drain(b)).toEqual(["whole-1", "whole-2", "after"]);
  });

  test("one process per directory: a live owner's lock is respected, a dead one's is taken over", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "lock"), String(process.ppid)); // alive, and not us
    expect(() => new SpoolJournal(dir, { maxBytes: 1 << 20 })).toThrow(/in use by process/);
    writeFileSync(join(dir, "lock"), "2147483646"); // no such process
    const j = journal(dir);
    expect(j.append(["ok"])).toBe(1);
    j.close();
    expect(existsSync(join(dir, "lock"))).toBe(false);
  });

  test("a line longer than the read budget is still delivered, alone", () => {
    const j = journal(tempDir());
    const big = "z".repeat(10_000);
    j.append(["small", big, "tail"]);
    expect(j.read(10, 100).lines).toEqual(["small"]);
    j.commit(j.read(1, 100).next);
    const r = j.read(10, 100);
    expect(r.lines).toEqual([big]);
    j.commit(r.next);
    expect(drain(j)).toEqual(["tail"]);
  });
});
