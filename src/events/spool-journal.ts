/**
 * A bounded, append-only on-disk journal of lines: where events wait while the broker cannot take
 * them, to be replayed in the order they were written.
 *
 * Layout of the directory:
 *   000000000001.spool, 000000000002.spool, ...   segments, one record per "\n"-terminated line
 *   cursor                                         {"segment":N,"offset":BYTES} of the next unread line
 *
 * - Appends are one write() per batch into the newest segment; a new segment starts past
 *   `segmentBytes`. The data is durable against a process crash as soon as write() returns (it is
 *   in the page cache); fsync runs at most every `fsyncIntervalMs` so a burst of batches costs one
 *   flush to disk, which is what bounds the loss on a power cut or OS crash.
 * - A crash can tear the last line; opening the journal cuts the file back to the last "\n".
 * - `read` never moves the cursor; `commit` does, after the records were delivered. The cursor is
 *   rewritten (temp file + rename) per commit and not fsynced: after a crash the worst case is a
 *   replay of one batch again, which consumers dedupe by event id.
 * - One process owns a directory: `lock` holds its pid, and a second live process is refused
 *   (two writers would interleave records and fight over the cursor).
 * - Fully read segments are deleted. When the total size would pass `maxBytes` the lines that do
 *   not fit are refused (the caller counts them as dropped): the journal never grows unbounded and
 *   what it holds stays a gap-free, ordered prefix of what was offered.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  readFileSync,
} from "node:fs";
import { join } from "node:path";
import { PRIVATE_FILE_MODE, ensurePrivateDir } from "../files";

export interface SpoolJournalOptions {
  maxBytes: number;
  segmentBytes?: number;
  fsyncIntervalMs?: number;
}

export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolRead {
  lines: string[];
  /** where the cursor goes once these lines are delivered */
  next: SpoolPosition;
}

const SEGMENT_SUFFIX = ".spool";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
const segmentName = (seq: number) => `${String(seq).padStart(12, "0")}${SEGMENT_SUFFIX}`;
const NEWLINE = 0x0a;

export class SpoolJournal {
  private readonly segmentBytes: number;
  private readonly maxBytes: number;
  /** live segments, oldest first, with their sizes */
  private readonly segments: Array<{ seq: number; size: number }> = [];
  private cursor: SpoolPosition;
  private writeFd: number | null = null;
  private dirty = false;
  private readonly fsyncTimer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    readonly dir: string,
    options: SpoolJournalOptions,
  ) {
    this.maxBytes = options.maxBytes;
    this.segmentBytes = Math.max(4096, Math.min(options.segmentBytes ?? 8 * 1024 * 1024, Math.floor(options.maxBytes / 4)));
    ensurePrivateDir(dir);
    this.lock();
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith(SEGMENT_SUFFIX))
      .sort()) {
      const seq = Number(name.slice(0, -SEGMENT_SUFFIX.length));
      if (Number.isInteger(seq)) this.segments.push({ seq, size: statSync(join(dir, name)).size });
    }
    this.cursor = this.loadCursor();
    this.dropReadSegments();
    this.repairTornTail();
    this.fsyncTimer = setInterval(() => this.sync(), options.fsyncIntervalMs ?? 50);
    this.fsyncTimer.unref?.();
  }

  private lock(): void {
    const file = join(this.dir, "lock");
    try {
      const holder = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `spool directory ${this.dir} is in use by process ${holder} (one process per NODE_ID and process index; delete ${file} if that process is not ringlink)`,
        );
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    writeFileSync(file, String(process.pid), { mode: PRIVATE_FILE_MODE });
  }

  private loadCursor(): SpoolPosition {
    const first = this.segments[0];
    const fallback = { segment: first?.seq ?? 1, offset: 0 };
    try {
      const saved = JSON.parse(readFileSync(join(this.dir, "cursor"), "utf8")) as SpoolPosition;
      if (!Number.isInteger(saved.segment) || !Number.isInteger(saved.offset)) return fallback;
      const live = this.segments.find((s) => s.seq === saved.segment);
      if (live) return { segment: saved.segment, offset: Math.min(saved.offset, live.size) };
      // The cursor's segment is gone (fully read): continue at the next one that exists.
      const next = this.segments.find((s) => s.seq > saved.segment);
      return next ? { segment: next.seq, offset: 0 } : { segment: saved.segment + 1, offset: 0 };
    } catch {
      return fallback;
    }
  }

  /** Deletes segments wholly before the cursor. */
  private dropReadSegments(): void {
    while (this.segments.length > 0 && this.segments[0]!.seq < this.cursor.segment) {
      rmSync(join(this.dir, segmentName(this.segments.shift()!.seq)), { force: true });
    }
  }

  /** A crash mid-write leaves a partial last line: cut it off so every line on disk is whole. */
  private repairTornTail(): void {
    const last = this.segments[this.segments.length - 1];
    if (!last || last.size === 0) return;
    const fd = openSync(join(this.dir, segmentName(last.seq)), "r+");
    try {
      const tail = Buffer.alloc(Math.min(last.size, 64 * 1024));
      let end = last.size;
      // Walk back in chunks until a newline (or the start of the file) is found.
      for (;;) {
        const start = Math.max(0, end - tail.length);
        const n = readSync(fd, tail, 0, end - start, start);
        const idx = tail.subarray(0, n).lastIndexOf(NEWLINE);
        if (idx !== -1) {
          const keep = start + idx + 1;
          if (keep !== last.size) {
            ftruncateSync(fd, keep);
            last.size = keep;
          }
          return;
        }
        if (start === 0) {
          ftruncateSync(fd, 0);
          last.size = 0;
          return;
        }
        end = start;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Bytes on disk (read-but-not-yet-deleted data included: that is what the bound is about). */
  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  /** Whether everything written has been read and committed. */
  get isEmpty(): boolean {
    const last = this.segments[this.segments.length - 1];
    if (!last) return true;
    return this.cursor.segment > last.seq || (this.cursor.segment === last.seq && this.cursor.offset >= last.size);
  }

  /**
   * Appends lines (which must not contain "\n") in order; returns how many were taken. Lines past
   * the size bound are refused, always a suffix of `lines`, so the journal stays in order.
   */
  append(lines: readonly string[]): number {
    if (this.closed || lines.length === 0) return 0;
    let room = this.maxBytes - this.sizeBytes;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let taken = 0;
    for (const line of lines) {
      const buf = Buffer.from(`${line}\n`, "utf8");
      if (buf.length > room) break;
      room -= buf.length;
      chunks.push(buf);
      bytes += buf.length;
      taken++;
    }
    if (taken === 0) return 0;
    let active = this.segments[this.segments.length - 1];
    if (!active || this.writeFd === null || active.size + bytes > this.segmentBytes) {
      this.rotate();
      active = this.segments[this.segments.length - 1]!;
    }
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
    let written = 0;
    while (written < data.length) written += writeSync(this.writeFd!, data, written, data.length - written);
    active.size += data.length;
    this.dirty = true;
    return taken;
  }

  /** Closes the segment being written and starts the next one (or reopens the last after a restart). */
  private rotate(): void {
    const last = this.segments[this.segments.length - 1];
    if (this.writeFd !== null) {
      this.sync();
      closeSync(this.writeFd);
      this.writeFd = null;
    } else if (last && last.size < this.segmentBytes && last.seq >= this.cursor.segment) {
      // Restarted with a partly filled last segment: keep appending to it.
      this.writeFd = openSync(join(this.dir, segmentName(last.seq)), "a", PRIVATE_FILE_MODE);
      return;
    }
    const seq = Math.max(last?.seq ?? 0, this.cursor.segment - 1) + 1;
    this.writeFd = openSync(join(this.dir, segmentName(seq)), "a", PRIVATE_FILE_MODE);
    this.segments.push({ seq, size: fstatSync(this.writeFd).size });
  }

  /**
   * Up to `maxLines` whole lines (and about `maxBytes`) from the cursor, oldest first. Crosses into
   * the next segment when one is finished.
   */
  read(maxLines: number, maxBytes: number): SpoolRead {
    const lines: string[] = [];
    let pos = { ...this.cursor };
    let budget = maxBytes;
    while (lines.length < maxLines && budget > 0) {
      const seg = this.segments.find((s) => s.seq >= pos.segment);
      if (!seg) break;
      if (seg.seq !== pos.segment) pos = { segment: seg.seq, offset: 0 };
      if (pos.offset >= seg.size) {
        const later = this.segments.find((s) => s.seq > seg.seq);
        if (!later) break;
        pos = { segment: later.seq, offset: 0 };
        continue;
      }
      const want = Math.min(seg.size - pos.offset, Math.max(budget, 4096));
      const buf = Buffer.alloc(want);
      const fd = openSync(join(this.dir, segmentName(seg.seq)), "r");
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, pos.offset);
      } finally {
        closeSync(fd);
      }
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(NEWLINE, start);
        if (nl === -1 || nl >= n || lines.length >= maxLines) break;
        lines.push(buf.toString("utf8", start, nl));
        budget -= nl + 1 - start;
        start = nl + 1;
        if (budget <= 0) break;
      }
      if (start === 0) {
        // One line longer than the budget: take it alone rather than stall behind it.
        if (lines.length > 0) break;
        const whole = this.readLineAt(seg.seq, pos.offset, seg.size);
        lines.push(whole.line);
        pos = { segment: seg.seq, offset: whole.next };
        break;
      }
      pos = { segment: seg.seq, offset: pos.offset + start };
    }
    return { lines, next: pos };
  }

  private readLineAt(seq: number, offset: number, size: number): { line: string; next: number } {
    const buf = Buffer.alloc(size - offset);
    const fd = openSync(join(this.dir, segmentName(seq)), "r");
    try {
      readSync(fd, buf, 0, buf.length, offset);
    } finally {
      closeSync(fd);
    }
    const nl = buf.indexOf(NEWLINE);
    const end = nl === -1 ? buf.length : nl;
    return { line: buf.toString("utf8", 0, end), next: offset + end + 1 };
  }

  /** Marks everything before `next` as delivered; deletes finished segments. */
  commit(next: SpoolPosition): void {
    this.cursor = { ...next };
    const active = this.segments[this.segments.length - 1];
    if (active && this.isEmpty) {
      // Everything was delivered: start afresh so an idle journal holds no data at all.
      if (this.writeFd !== null) {
        closeSync(this.writeFd);
        this.writeFd = null;
      }
      for (const s of this.segments.splice(0)) rmSync(join(this.dir, segmentName(s.seq)), { force: true });
      this.cursor = { segment: active.seq + 1, offset: 0 };
    } else {
      this.dropReadSegments();
    }
    const tmp = join(this.dir, "cursor.tmp");
    writeFileSync(tmp, JSON.stringify(this.cursor), { mode: PRIVATE_FILE_MODE });
    renameSync(tmp, join(this.dir, "cursor"));
  }

  /** Flushes appended data to disk (called on a timer and on close). */
  sync(): void {
    if (!this.dirty || this.writeFd === null) return;
    fdatasyncSync(this.writeFd);
    this.dirty = false;
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.fsyncTimer);
    this.sync();
    if (this.writeFd !== null) closeSync(this.writeFd);
    this.writeFd = null;
    this.closed = true;
    rmSync(join(this.dir, "lock"), { force: true });
  }

  /** For tests and tools: whether a directory holds a journal with unread lines. */
  static hasData(dir: string): boolean {
    if (!existsSync(dir)) return false;
    return readdirSync(dir).some((n) => n.endsWith(SEGMENT_SUFFIX) && statSync(join(dir, n)).size > 0);
  }
}
