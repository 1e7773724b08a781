import { describe, expect, test } from "bun:test";
import type { LogFormat } from "../../src/log";
import { createLogger } from "../../src/log/logger";

function capture(format: LogFormat = "json") {
  const out: string[] = [];
  const err: string[] = [];
  const sink = { format, out: (l: string) => out.push(l), err: (l: string) => err.push(l), now: () => new Date("2026-01-31T12:00:00.000Z") };
  return { out, err, sink };
}

describe("logger", () => {
  test("writes one JSON object per line with ts, level and msg first, then the fields", () => {
    const { out, sink } = capture();
    createLogger(sink).info("listening", { url: "http://localhost:8080", pid: 42 });
    expect(out).toEqual(['{"ts":"2026-01-31T12:00:00.000Z","level":"info","msg":"listening","url":"http://localhost:8080","pid":42}']);
  });

  test("sends warnings and errors to stderr and the rest to stdout", () => {
    const { out, err, sink } = capture();
    const log = createLogger(sink);
    log.info("a");
    log.warn("b");
    log.error("c");
    expect(out.map((l) => JSON.parse(l).msg)).toEqual(["a"]);
    expect(err.map((l) => JSON.parse(l).level)).toEqual(["warn", "error"]);
  });

  test("an Error field is written as its message, not as an empty object", () => {
    const { err, sink } = capture();
    createLogger(sink).error("lookup failed", { error: new TypeError("boom") });
    expect(JSON.parse(err[0]!).error).toBe("TypeError: boom");
  });

  test("a child logger adds its fields to every line, and sees fields its parent gains later", () => {
    const { out, sink } = capture();
    const process: Record<string, unknown> = {};
    const worker = createLogger(sink, process).child({ role: "analytics-worker" });
    process.node = 3;
    worker.info("consuming", { topic: "link.clicked" });
    expect(JSON.parse(out[0]!)).toMatchObject({ msg: "consuming", node: 3, role: "analytics-worker", topic: "link.clicked" });
  });

  test("the pretty format prints the same fields as text, quoting only values that need it", () => {
    const { err, sink } = capture("pretty");
    createLogger(sink).warn("starting degraded", { down: ["shard-1/redis"], detail: "connect refused", shard: 1 });
    expect(err).toEqual(['2026-01-31T12:00:00.000Z WARN  starting degraded down=["shard-1/redis"] detail="connect refused" shard=1']);
  });
});
