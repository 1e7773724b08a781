/**
 * Data files are readable by ringlink's user only: the SQLite database with its -wal and -shm, the
 * visitor salt and the event spool are created 0600 and DATA_DIR (when ringlink makes it) 0700,
 * whatever the umask; an existing database of an older version is tightened when it is opened.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { SpoolJournal } from "../../src/events/spool-journal";
import { createRuntime } from "../../src/runtime";

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);
let root: string;
let umask: number;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "ringlink-perms-"));
  // The most permissive umask: nothing may rely on it to keep files private.
  umask = process.umask(0);
});
afterAll(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

describe("private data files", () => {
  test("a fresh DATA_DIR is 0700 and the database, its -wal and -shm and the visitor salt are 0600", async () => {
    const dataDir = join(root, "fresh", "data");
    const runtime = await createRuntime(loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off", DATABASE_NODES: "", KAFKA_BROKERS: "" }));
    try {
      const { link } = await runtime.links.create({ url: "https://example.com/private-files" });
      await runtime.redirect(new Request(`http://localhost/${link.code}`), link.code, null);
      expect(modeOf(dataDir)).toBe("700");
      expect(modeOf(join(root, "fresh"))).toBe("700");
      const files = readdirSync(dataDir).sort();
      expect(files).toEqual(expect.arrayContaining(["ringlink.sqlite", "ringlink.sqlite-shm", "ringlink.sqlite-wal", "visitor-salt"]));
      for (const f of files) expect({ f, mode: modeOf(join(dataDir, f)) }).toEqual({ f, mode: "600" });
    } finally {
      await runtime.close();
    }
  });

  test("an existing world-readable database and salt from an older version are made 0600 when opened", async () => {
    const dataDir = join(root, "old");
    mkdirSync(dataDir, { mode: 0o755 });
    const first = await createRuntime(loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off" }));
    await first.close();
    for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o644);
    const again = await createRuntime(loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off" }));
    try {
      for (const f of readdirSync(dataDir)) expect({ f, mode: modeOf(join(dataDir, f)) }).toEqual({ f, mode: "600" });
      // An existing directory keeps the mode it was given (it may be a mount point or shared on purpose).
      expect(modeOf(dataDir)).toBe("755");
    } finally {
      await again.close();
    }
  });

  test("the event spool's directories are 0700 and its segments, cursor and lock 0600", () => {
    const dir = join(root, "spool", "node0-p0");
    const journal = new SpoolJournal(dir, { maxBytes: 1024 * 1024, segmentBytes: 4096, fsyncIntervalMs: 10 });
    try {
      for (let b = 0; b < 20; b++)
        journal.append(Array.from({ length: 10 }, (_, i) => `{"event":${b * 10 + i},"url":"https://example.com/secret?token=${i}"}`));
      const read = journal.read(10, 64 * 1024);
      journal.commit(read.next);
      journal.sync();
      expect(modeOf(join(root, "spool"))).toBe("700");
      expect(modeOf(dir)).toBe("700");
      const files = readdirSync(dir);
      expect(files).toEqual(expect.arrayContaining(["lock", "cursor"]));
      expect(files.filter((f) => f.endsWith(".spool")).length).toBeGreaterThan(1);
      for (const f of files) expect({ f, mode: modeOf(join(dir, f)) }).toEqual({ f, mode: "600" });
    } finally {
      journal.close();
    }
  });
});
