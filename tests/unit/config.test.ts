import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config";

function errorOf(env: Record<string, string>, flags = {}): string {
  try {
    loadConfig(env, flags);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  test("no configuration means the embedded default on port 8080", () => {
    const c = loadConfig({});
    expect(c.mode).toBe("embedded");
    expect(c.port).toBe(8080);
    expect(c.processes).toBe(1);
    expect(c.dataDir.endsWith("/data")).toBe(true);
    expect(c.publicBaseUrl).toBe("http://localhost:8080");
    expect(c.blockPrivateTargets).toBe(true);
    expect(c.maxUrlLength).toBe(2048);
  });

  test("flags win over the environment", () => {
    expect(loadConfig({ PORT: "1234" }, { port: "4321" }).port).toBe(4321);
  });

  test.each([
    [{ PORT: "abc" }, /^PORT: /],
    [{ PORT: "70000" }, /^PORT: must be between 1 and 65535/],
    [{ NODE_ID: "64" }, /^NODE_ID: /],
    [{ BLOCK_PRIVATE_TARGETS: "maybe" }, /^BLOCK_PRIVATE_TARGETS: must be true or false/],
    [{ PUBLIC_BASE_URL: "ftp://x" }, /^PUBLIC_BASE_URL: must use http or https/],
    [{ PUBLIC_BASE_URL: "not a url" }, /^PUBLIC_BASE_URL: /],
    [{ ACCESS_LOG: "loud" }, /^ACCESS_LOG: must be one of/],
    [{ DATABASE_NODES: "postgres://a/db" }, /^DATABASE_NODES: needs an even count/],
    [{ DB_NODES: "postgres://a/db" }, /^DB_NODES: needs an even count/],
    [{ DATABASE_NODES: "mysql://a/db,mysql://b/db" }, /^DATABASE_NODES: .* is not a postgres/],
    [{ DATABASE_NODES: "postgres://a/d,postgres://b/d", REDIS_NODES: "redis://a,redis://b" }, /^REDIS_NODES: needs one node per shard/],
    [{ REDIS_NODES: "redis://a" }, /^REDIS_NODES: is set but DATABASE_NODES is not/],
    [{ KAFKA_BROKERS: "no-port" }, /^KAFKA_BROKERS: /],
  ])("%j is refused with one line naming the variable", (env, pattern) => {
    const message = errorOf(env as Record<string, string>);
    expect(message).toMatch(pattern);
    expect(message.includes("\n")).toBe(false);
  });

  test.each([
    ["short", /^ADMIN_TOKEN: must be at least 32 characters long \(got 5\)/],
    ["x".repeat(31), /^ADMIN_TOKEN: must be at least 32 characters long \(got 31\)/],
    ["with a space inside it, long enough to pass", /^ADMIN_TOKEN: may hold only printable ASCII/],
    [`tab\tseparated-${"x".repeat(32)}`, /^ADMIN_TOKEN: may hold only printable ASCII/],
    [`unicode-é-${"x".repeat(32)}`, /^ADMIN_TOKEN: may hold only printable ASCII/],
  ])("ADMIN_TOKEN %p is refused with one line that does not echo it", (token, pattern) => {
    const message = errorOf({ ADMIN_TOKEN: token });
    expect(message).toMatch(pattern);
    expect(message.includes("\n")).toBe(false);
    expect(message).not.toContain(token);
  });

  test("an ADMIN_TOKEN of 32 or more printable characters is accepted as given", () => {
    const token = "!#$%&'()*+,-./0123456789:;<=>?@AZaz[]^_`{|}~";
    expect(loadConfig({ ADMIN_TOKEN: token }).adminToken).toBe(token);
    expect(loadConfig({ ADMIN_TOKEN: "a".repeat(32) }).adminToken).toBe("a".repeat(32));
    expect(loadConfig({}).adminToken).toBeUndefined();
  });

  test("a bad --port flag is reported as the flag", () => {
    expect(errorOf({}, { port: "x" })).toMatch(/^--port: /);
  });

  test("passwords in database URLs are not echoed in errors", () => {
    expect(errorOf({ DATABASE_NODES: "mysql://u:secret@a/db,mysql://u:secret@b/db" })).not.toContain("secret");
  });

  test("DATABASE_NODES pairs become shards and select distributed mode", () => {
    const c = loadConfig({ DATABASE_NODES: "postgres://p0/db,postgres://r0/db,postgres://p1/db,postgres://r1/db" });
    expect(c.mode).toBe("distributed");
    expect(c.shards).toEqual([
      { primary: "postgres://p0/db", replica: "postgres://r0/db" },
      { primary: "postgres://p1/db", replica: "postgres://r1/db" },
    ]);
  });
});

test("the README's configuration table is the one config.ts builds from its settings (bun scripts/config-table.ts --write)", async () => {
  const { CONFIG_VARIABLES, configTableMarkdown } = await import("../../src/config");
  const { readmeConfigTable } = await import("../../scripts/config-table");
  const readme = await Bun.file(new URL("../../README.md", import.meta.url)).text();
  expect(readmeConfigTable(readme).table).toBe(configTableMarkdown());
  for (const v of CONFIG_VARIABLES) expect(readme).toContain(`| \`${v.name}\``);
});

test("every default in the settings table parses (an empty environment is a valid configuration)", async () => {
  const { SETTINGS } = await import("../../src/config");
  const config = loadConfig({});
  expect(config.port).toBe(Number(SETTINGS.PORT.default));
  expect(config.cacheTtlMs).toBe(Number(SETTINGS.CACHE_TTL_SECONDS.default) * 1000);
  expect(config.rateLimitRedirect).toBeNull();
  expect(config.linkManagement.unsafeUrlThreshold).toBe(Number(SETTINGS.UNSAFE_URL_THRESHOLD.default));
});
