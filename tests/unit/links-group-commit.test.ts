import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteLinkStore } from "../../src/storage";
import type { InsertOutcome, NewLink } from "../../src/storage/link-store";
import { startTestApp, type TestApp } from "../support/embedded-app";

const newLink = (id: number, code: string, urlHash: string, canonical: boolean): NewLink => ({
  id: BigInt(id),
  code,
  url: `https://example.com/${urlHash}`,
  urlHash,
  isAlias: false,
  canonical,
  redirectType: 302,
  createdAt: id,
  expiresAt: null,
  maxClicks: null,
});

describe("SqliteLinkStore group commit", () => {
  const dir = mkdtempSync(join(tmpdir(), "ringlink-group-commit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("inserts of one turn answer per row: taken codes, a URL inserted twice, an existing canonical link", async () => {
    const path = join(dir, "races.db");
    const store = new SqliteLinkStore(path);
    const before = await store.insert(newLink(1, "taken", "old-url", true));
    expect(before.kind).toBe("inserted");
    const walBefore = statSync(`${path}-wal`).size;

    const links: NewLink[] = [];
    for (let i = 0; i < 200; i++) {
      const id = 100 + i;
      if (i % 10 === 0)
        links.push(newLink(id, "taken", `fresh-${i}`, false)); // a code that existed before the turn
      else if (i % 10 === 1)
        links.push(newLink(id, `dup-${i % 20}`, `dup-url-${i}`, false)); // the same code twice in the turn
      else if (i % 10 === 2)
        links.push(newLink(id, `same-${i}`, "same-url", true)); // one URL, 20 canonical creates
      else if (i % 10 === 3)
        links.push(newLink(id, `old-${i}`, "old-url", true)); // the URL's canonical link exists already
      else links.push(newLink(id, `plain-${i}`, `plain-url-${i}`, false));
    }
    const outcomes = await Promise.all(links.map((l) => store.insert(l)));
    const kinds = (pred: (l: NewLink) => boolean) => outcomes.filter((_, i) => pred(links[i]!)).map((o) => o.kind);

    expect(kinds((l) => l.code === "taken")).toEqual(Array(20).fill("code_taken"));
    // dup-1 and dup-11 each appear 10 times: the first of each is inserted, the rest find the code taken.
    for (const code of ["dup-1", "dup-11"]) {
      const got = kinds((l) => l.code === code);
      expect(got[0]).toBe("inserted");
      expect(got.slice(1)).toEqual(Array(got.length - 1).fill("code_taken"));
    }
    const same = outcomes.filter((_, i) => links[i]!.urlHash === "same-url");
    expect(same[0]!.kind).toBe("inserted");
    const first = (same[0] as Extract<InsertOutcome, { kind: "inserted" }>).link;
    for (const o of same.slice(1)) expect(o).toEqual({ kind: "url_exists", link: first });
    for (const o of outcomes.filter((_, i) => links[i]!.urlHash === "old-url")) {
      expect(o.kind).toBe("url_exists");
      expect((o as Extract<InsertOutcome, { kind: "url_exists" }>).link.code).toBe("taken");
    }
    expect(kinds((l) => l.code.startsWith("plain-"))).toEqual(Array(120).fill("inserted"));
    expect((await store.findByCode("dup-1"))?.id).toBe(101n);
    expect(await store.countLinks()).toBe(1 + 120 + 2 + 1);

    // One transaction: the WAL grew by a handful of pages, not by a commit's pages per link (~800).
    const walPages = (statSync(`${path}-wal`).size - walBefore) / 4096;
    expect(walPages).toBeLessThan(60);
    await store.close();
  });

  test("a turn's inserts and the next turn's are separate batches; each still sees the other's rows", async () => {
    const store = new SqliteLinkStore(":memory:");
    const [a] = await Promise.all([store.insert(newLink(1, "a", "u", true))]);
    const b = await store.insert(newLink(2, "b", "u", true));
    expect(a.kind).toBe("inserted");
    expect(b.kind).toBe("url_exists");
    await store.close();
  });
});

describe("200 concurrent creates over HTTP (embedded)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  test("each create gets its own answer: aliases once, a reusable URL one code, a pre-existing alias 409", async () => {
    const existing = await app.createLink({ url: "https://example.com/existing", alias: "already" });
    expect(existing.status).toBe(201);

    const bodies: Record<string, unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 8 === 0) bodies.push({ url: `https://example.com/a/${i}`, alias: `twice-${i % 16}` });
      else if (i % 8 === 1) bodies.push({ url: "https://example.com/reused" });
      else if (i % 8 === 2) bodies.push({ url: `https://example.com/b/${i}`, alias: "already" });
      else bodies.push({ url: `https://example.com/c/${i}` });
    }
    const answers = await Promise.all(bodies.map((b) => app.createLink(b)));
    const where = (pred: (b: Record<string, unknown>) => boolean) => answers.filter((_, i) => pred(bodies[i]!));

    for (const alias of ["twice-0", "twice-8"]) {
      const got = where((b) => b.alias === alias);
      expect(got.filter((a) => a.status === 201).map((a) => a.json.code)).toEqual([alias]);
      for (const a of got.filter((x) => x.status !== 201)) {
        expect(a.status).toBe(409);
        expect(a.json.error.code).toBe("alias_taken");
      }
    }
    const reused = where((b) => b.url === "https://example.com/reused");
    expect(reused.filter((a) => a.status === 201).length).toBe(1);
    expect(reused.filter((a) => a.status === 200).length).toBe(reused.length - 1);
    expect(new Set(reused.map((a) => a.json.code)).size).toBe(1);
    for (const a of where((b) => b.alias === "already")) {
      expect(a.status).toBe(409);
      expect(a.json.error.code).toBe("alias_taken");
    }
    const plain = where((b) => typeof b.url === "string" && b.url.startsWith("https://example.com/c/"));
    expect(plain.every((a) => a.status === 201)).toBe(true);
    expect(new Set(plain.map((a) => a.json.code)).size).toBe(plain.length);
    // The create-time check's verdict is the link's category, stored by the insert itself.
    expect(plain.every((a) => typeof a.json.category === "string" && a.json.categoryConfidence > 0)).toBe(true);

    const target = await app.request("/already");
    expect(target.headers.get("location")).toBe("https://example.com/existing");
  });
});
