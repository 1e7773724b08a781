/** API keys: token format, hashing, scopes, the key service's cache, and the `ringlink keys` command. */
import { describe, expect, test } from "bun:test";
import { parseExpiry, runKeysCommand } from "../../src/cli/keys";
import { Forbidden } from "../../src/errors";
import { KeyService, hasScope, requireScope, seesAllLinks, type Principal } from "../../src/keys";
import { newToken, parseToken } from "../../src/keys/api-key-token";
import { parseScopes } from "../../src/keys/scopes";
import { SqliteLinkStore } from "../../src/storage";

describe("tokens", () => {
  test("rl_<id>_<secret>: 8 + 32 url-safe characters, parsed back, unique", () => {
    const tokens = Array.from({ length: 200 }, () => newToken());
    for (const t of tokens) {
      expect(t.token).toMatch(/^rl_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{32}$/);
      expect(parseToken(t.token)).toEqual({ id: t.id, secret: t.secret });
    }
    expect(new Set(tokens.map((t) => t.token)).size).toBe(200);
    for (const bad of ["", "rl_short_x", "Bearer rl_", `xx_${"a".repeat(8)}_${"b".repeat(32)}`]) expect(parseToken(bad)).toBeNull();
  });
});

describe("scopes", () => {
  test("parsed from a comma list; unknown scopes are refused", () => {
    expect(parseScopes("create, manage,create")).toEqual(["create", "manage"]);
    expect(() => parseScopes("create,root")).toThrow("unknown scope 'root'");
    expect(() => parseScopes(" , ")).toThrow("at least one scope");
  });

  test("admin implies every scope and every link", () => {
    const key = (scopes: string[]): Principal => ({ kind: "key", id: "k", name: "k", scopes: new Set(parseScopes(scopes.join(","))) });
    expect(hasScope(key(["admin"]), "manage")).toBe(true);
    expect(hasScope(key(["stats"]), "manage")).toBe(false);
    expect(seesAllLinks(key(["manage"]))).toBe(false);
    expect(seesAllLinks(key(["admin"]))).toBe(true);
    expect(() => requireScope(null, "create", "x")).toThrow("needs an API key");
    expect(() => requireScope(key(["stats"]), "create", "x")).toThrow(Forbidden);
  });
});

describe("KeyService", () => {
  test("authenticates a live key, refuses a wrong secret, a revoked and an expired key", async () => {
    let now = 1_000_000;
    const store = new SqliteLinkStore(":memory:");
    const keys = new KeyService({ store: store.apiKeys, now: () => now });
    const { key, token } = await keys.create({ name: "ci", scopes: "create,stats", expiresAt: now + 10_000 });
    const who = await keys.authenticate(token);
    expect(who).toMatchObject({ kind: "key", id: key.id, name: "ci" });
    await expect(keys.authenticate(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).rejects.toBeInstanceOf(Forbidden);
    now += 20_000;
    await expect(keys.authenticate(token)).rejects.toThrow("expired");
    const second = await keys.create({ name: "two", scopes: ["manage"] });
    expect(await keys.revoke(second.key.id)).toBe(true);
    expect(await keys.revoke(second.key.id)).toBe(false);
    await expect(keys.authenticate(second.token)).rejects.toThrow("revoked");
    await store.close();
  });

  test("a revocation made by another process is seen once the cache entry expires", async () => {
    let now = 5_000_000;
    const store = new SqliteLinkStore(":memory:");
    const here = new KeyService({ store: store.apiKeys, now: () => now, cacheMs: 5_000 });
    const elsewhere = new KeyService({ store: store.apiKeys, now: () => now });
    const { key, token } = await elsewhere.create({ name: "shared", scopes: "create" });
    await here.authenticate(token);
    await elsewhere.revoke(key.id);
    await here.authenticate(token); // still cached
    now += 5_001;
    await expect(here.authenticate(token)).rejects.toThrow("revoked");
    await store.close();
  });

  test("anyActiveKeys ignores revoked and expired keys", async () => {
    let now = 1;
    const store = new SqliteLinkStore(":memory:");
    const keys = new KeyService({ store: store.apiKeys, now: () => now, cacheMs: 0 });
    expect(await keys.anyActiveKeys()).toBe(false);
    await keys.create({ name: "soon", scopes: "create", expiresAt: 100 });
    expect(await keys.anyActiveKeys()).toBe(true);
    now = 200;
    expect(await keys.anyActiveKeys()).toBe(false);
    await store.close();
  });
});

describe("ringlink keys", () => {
  test("create prints the token once, list shows the key without it, revoke marks it revoked", async () => {
    const store = new SqliteLinkStore(":memory:");
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    expect(await runKeysCommand(store.apiKeys, { rest: ["create"], flags: { name: "deploy bot", scopes: "create,manage", expires: "30d" } }, out)).toBe(0);
    const token = /rl_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{32}/.exec(lines.join("\n"))![0];
    const id = parseToken(token)!.id;
    lines.length = 0;
    await runKeysCommand(store.apiKeys, { rest: ["list"], flags: {} }, out);
    const table = lines.join("\n").split("\n");
    expect(table[0]).toMatch(/^ID\s+NAME\s+SCOPES\s+CREATED\s+EXPIRES\s+STATE$/);
    expect(table[1]).toMatch(new RegExp(`^${id}\\s+deploy bot\\s+create,manage\\s+\\S+\\s+\\S+\\s+active$`));
    // aligned: every column starts where its header does
    expect(table[1]!.indexOf("deploy bot")).toBe(table[0]!.indexOf("NAME"));
    expect(lines.join("\n")).not.toContain(token);
    expect(await runKeysCommand(store.apiKeys, { rest: ["revoke", id], flags: {} }, out)).toBe(0);
    expect(await runKeysCommand(store.apiKeys, { rest: ["revoke", id], flags: {} }, out)).toBe(1);
    lines.length = 0;
    await runKeysCommand(store.apiKeys, { rest: ["list"], flags: {} }, out);
    expect(lines.join("\n").split("\n")[1]).toEndWith("revoked");
    lines.length = 0;
    await runKeysCommand(store.apiKeys, { rest: ["list"], flags: { json: true } }, out);
    const listed = JSON.parse(lines.join("\n"));
    expect(listed).toEqual([expect.objectContaining({ id, name: "deploy bot", scopes: ["create", "manage"], state: "revoked" })]);
    expect(lines.join("\n")).not.toContain(token);
    await expect(runKeysCommand(store.apiKeys, { rest: ["create"], flags: { name: "x", scopes: "root" } }, out)).rejects.toThrow("unknown scope");
    await store.close();
  });

  test("--expires takes dates, date-times and durations", () => {
    expect(parseExpiry("2030-01-01", 0)).toBe(Date.parse("2030-01-01"));
    expect(parseExpiry("12h", 1000)).toBe(1000 + 12 * 3_600_000);
    expect(parseExpiry("2w", 0)).toBe(14 * 86_400_000);
    expect(() => parseExpiry("someday", 0)).toThrow("--expires");
  });
});
