/** The link-management fields in the cached entry and its Redis encoding (compatible both ways). */
import { expect, test } from "bun:test";
import type { CachedLink } from "../../src/cache";
import { decodeEntry, encodeLink } from "../../src/cache/redis/cached-link-codec";
import { forwardQuery } from "../../src/redirect/query-forwarding";

const plain: CachedLink = {
  code: "abc1234",
  url: "https://example.com/x",
  redirectType: 302,
  expiresAt: null,
  maxClicks: null,
  deleted: false,
  disabled: null,
  password: false,
  forwardQuery: false,
};

test("an ordinary link encodes exactly as before the new fields existed", () => {
  expect(encodeLink(plain)).toBe('{"u":"https://example.com/x","t":302}');
});

test("disabled, password and forwardQuery round-trip", () => {
  for (const extra of [{ disabled: "manual" as const }, { disabled: "unsafe" as const }, { password: true }, { forwardQuery: true }]) {
    const link = { ...plain, ...extra };
    expect(decodeEntry(link.code, encodeLink(link))).toEqual(link);
  }
});

test("an entry written by an older process decodes as serving, no password, no forwarding", () => {
  expect(decodeEntry("abc1234", '{"u":"https://example.com/x","t":301,"m":5}')).toEqual({ ...plain, redirectType: 301, maxClicks: 5 });
});

test("query forwarding merges parameters, the visitor's values replacing the target's", () => {
  expect(forwardQuery("https://t.example/p?a=1&b=2", "?b=3&c=4&c=5")).toBe("https://t.example/p?a=1&b=3&c=4&c=5");
  expect(forwardQuery("https://t.example/p", "?")).toBe("https://t.example/p");
  expect(forwardQuery("https://t.example/p#frag", "?x=%20y")).toBe("https://t.example/p?x=+y#frag");
});
