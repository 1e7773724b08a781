import { describe, expect, test } from "bun:test";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../../src/config";

const NODES = "postgres://p0/db,postgres://r0/db,postgres://p1/db,postgres://r1/db";

describe("distributed-mode time budgets and thresholds", () => {
  test("have defaults", () => {
    expect(loadConfig({ DATABASE_NODES: NODES }).resilience).toEqual({
      dbPoolMax: 10,
      dbConnectTimeoutMs: 1000,
      dbQueryTimeoutMs: 2000,
      redisTimeoutMs: 250,
      requestDeadlineMs: 3000,
      readRetries: 2,
      breakerFailures: 3,
      probeIntervalMs: 1000,
    });
  });

  test("are read from the environment", () => {
    const r = loadConfig({
      DATABASE_NODES: NODES,
      DB_QUERY_TIMEOUT_MS: "500",
      BREAKER_FAILURES: "5",
      HEALTH_PROBE_INTERVAL_MS: "250",
      READ_RETRIES: "0",
    }).resilience;
    expect(r).toMatchObject({ dbQueryTimeoutMs: 500, breakerFailures: 5, probeIntervalMs: 250, readRetries: 0 });
  });

  test.each([
    ["DB_QUERY_TIMEOUT_MS", "soon"],
    ["REDIS_TIMEOUT_MS", "0"],
    ["BREAKER_FAILURES", "0"],
    ["HEALTH_PROBE_INTERVAL_MS", "5"],
    ["DB_POOL_MAX", "-1"],
    ["REQUEST_DEADLINE_MS", "1.5"],
  ])("a bad %s (%s) stops start-up with one line naming it", (name, value) => {
    expect(() => loadConfig({ DATABASE_NODES: NODES, [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ DATABASE_NODES: NODES, [name]: value });
    } catch (error) {
      expect((error as Error).message.startsWith(`${name}: `)).toBe(true);
    }
  });

  test("are listed for --help and the README", () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    for (const n of [
      "DB_POOL_MAX",
      "DB_CONNECT_TIMEOUT_MS",
      "DB_QUERY_TIMEOUT_MS",
      "REDIS_TIMEOUT_MS",
      "REQUEST_DEADLINE_MS",
      "READ_RETRIES",
      "BREAKER_FAILURES",
      "HEALTH_PROBE_INTERVAL_MS",
    ]) {
      expect(names).toContain(n);
    }
  });
});
