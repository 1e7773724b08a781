/** Benches send load to this machine only, say how they are used, and count what they claim. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchHelp, parseBenchArgs } from "../../bench/lib/args";
import { waitForCount, type ClickCounter } from "../../bench/lib/click-count";
import { cpuMeter, cpuMicros } from "../../bench/lib/cpu";
import { assertLoopback, assertLoopbackServices, assertLoopbackUrlFile, loopbackBase, loopbackOrigin } from "../../bench/lib/loopback";
import { writeScenarioScript } from "../../bench/lib/lua";
import { clickCell, markdownTable, type ScenarioResult } from "../../bench/lib/report";

const root = join(import.meta.dir, "../..");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ringlink-bench-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loopback only", () => {
  test("127.0.0.1, ::1 and localhost pass", () => {
    for (const url of ["http://127.0.0.1:8080/x", "http://[::1]:9000/", "http://localhost:1234/api", "https://LOCALHOST/"])
      expect(assertLoopback(url).href).toBe(new URL(url).href);
  });

  test("every other address is refused: private ranges, the rest of 127/8, look-alikes and userinfo tricks", () => {
    for (const url of [
      "http://0.0.0.127/",
      "http://10.0.0.1/",
      "http://10.0.0.1:8080/",
      "http://192.168.1.10:8080/",
      "http://172.16.0.1/",
      "http://127.1.2.3/",
      "http://127.0.0.2:8080/",
      "http://example.com/",
      "http://127.0.0.1.example.com/",
      "http://localhost.example/",
      "http://127.0.0.1@10.0.0.1/",
      "http://[::2]/",
      "http://[::ffff:7f00:1]/",
      "ftp://127.0.0.1/",
      "not a url",
    ]) {
      expect(() => assertLoopback(url)).toThrow();
    }
  });

  test("a load tool gets the origin rebuilt from the checked parts, never the raw string", () => {
    expect(loopbackOrigin("http://user:pw@127.0.0.1:8080/some/path?q=1")).toBe("http://127.0.0.1:8080");
    // WHATWG normalises 127.1 and hex forms to 127.0.0.1 before the check, so tools never see them
    expect(loopbackOrigin("http://127.1:9/")).toBe("http://127.0.0.1:9");
    expect(loopbackOrigin("http://[::1]:9000")).toBe("http://[::1]:9000");
    expect(loopbackBase(8080)).toBe("http://127.0.0.1:8080");
    expect(() => loopbackBase(0)).toThrow();
  });

  test("a URL list is checked line by line: one foreign line refuses the whole file", () => {
    const good = join(dir, "good.urls");
    writeFileSync(good, "http://127.0.0.1:1/a\nhttp://[::1]:1/b\nhttp://localhost:1/c\n");
    expect(assertLoopbackUrlFile(good)).toBe(3);
    const bad = join(dir, "bad.urls");
    writeFileSync(bad, "http://127.0.0.1:1/a\nhttp://0.0.0.127:1/b\n");
    expect(() => assertLoopbackUrlFile(bad)).toThrow(/0\.0\.0\.127/);
  });

  test("the services a bench points a server at must be local too", () => {
    expect(() =>
      assertLoopbackServices({
        DATABASE_NODES: "postgres://u:p@127.0.0.1:5432/a,postgres://u:p@localhost:5433/a",
        REDIS_NODES: "redis://127.0.0.1:6379",
        KAFKA_BROKERS: "127.0.0.1:9092,localhost:9093",
      }),
    ).not.toThrow();
    expect(() => assertLoopbackServices({ DATABASE_NODES: "postgres://u:p@10.1.2.3:5432/a" })).toThrow(/10\.1\.2\.3/);
    expect(() => assertLoopbackServices({ KAFKA_BROKERS: "127.0.0.1:9092,kafka.internal:9092" })).toThrow(/kafka\.internal/);
    expect(() => assertLoopbackServices({ REDIS_NODES: "redis://192.168.0.5:6379" })).toThrow();
  });

  test("no bench uses a load tool's regex URL generator, and the wrk scripts name no host", () => {
    const sources = [
      ...readdirSync(join(root, "bench"))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => join(root, "bench", f)),
      ...readdirSync(join(root, "bench/lib"))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => join(root, "bench/lib", f)),
    ];
    // Spelled in pieces so that a search of the tree for the flag finds only real uses.
    const generator = new RegExp(["rand", "regex"].join("[-_]?"), "i");
    for (const file of sources) expect(readFileSync(file, "utf8")).not.toMatch(generator);
    const codes = join(dir, "codes.txt");
    writeFileSync(codes, "abc\ndef\n");
    for (const scenario of ["hot", "cold", "unknown", "create", "mix"] as const) {
      // requests are paths on the URL the runner checked; a script holding a host could send elsewhere
      expect(readFileSync(writeScenarioScript(dir, scenario, codes), "utf8")).not.toMatch(/https?:\/\/(?!example\.com)/);
    }
    // the counted scripts count 3xx answers and park connections at the end of the window; the baseline's do neither
    const counted = readFileSync(writeScenarioScript(dir, "hot", codes), "utf8");
    expect(counted).toContain("response = function");
    expect(counted).toContain("RL_COUNT");
    const uncounted = readFileSync(writeScenarioScript(dir, "hot", codes, { counted: false }), "utf8");
    expect(uncounted).not.toContain("response = function");
    expect(uncounted).not.toContain("delay = function");
  });
});

describe("the command line of a bench", () => {
  const options = {
    seconds: { type: "string" as const, default: "10", help: "seconds per run" },
    quick: { type: "boolean" as const, default: false, help: "short" },
    url: { type: "string" as const, help: "a target" },
  };
  class Exit extends Error {
    constructor(readonly code: number) {
      super(`exit ${code}`);
    }
  }
  const exit = (code: number): never => {
    throw new Exit(code);
  };
  const exitCode = (argv: string[]) => {
    try {
      parseBenchArgs("usage: x", options, argv, exit);
      return null;
    } catch (e) {
      return e instanceof Exit ? e.code : -1;
    }
  };

  test("options parse with their defaults", () => {
    expect(parseBenchArgs("usage: x", options, ["--quick", "--url", "http://127.0.0.1:1"], exit)).toEqual({
      seconds: "10",
      quick: true,
      url: "http://127.0.0.1:1",
    });
  });

  test("--help exits 0, a mistake exits 2", () => {
    expect(exitCode(["--help"])).toBe(0);
    expect(exitCode(["-h"])).toBe(0);
    expect(exitCode(["--nope"])).toBe(2);
    expect(exitCode(["--seconds"])).toBe(2);
    expect(exitCode(["stray"])).toBe(2);
  });

  test("the help names every option with its default", () => {
    const text = benchHelp("usage: x", options);
    expect(text).toContain("--seconds VALUE");
    expect(text).toContain("(default: 10)");
    expect(text).toContain("--quick");
    expect(text).toContain("--help");
  });

  const bench = (...args: string[]) => Bun.spawnSync(["bun", join(root, "bench/run.ts"), ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });

  test("`bun bench/run.ts --help` prints the options and exits 0", () => {
    const r = bench("--help");
    expect(r.exitCode).toBe(0);
    const out = r.stdout.toString();
    for (const flag of ["--targets", "--links", "--seconds", "--connections", "--url", "--quick", "--scenarios", "--processes"]) expect(out).toContain(flag);
    expect(r.stderr.toString()).not.toContain("    at ");
  });

  test("an unknown option is one line and exit 2", () => {
    const r = bench("--no-such-option");
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString().trim().split("\n")).toHaveLength(1);
  });

  test("--url off this machine is refused before a request is sent", async () => {
    // 127.0.0.2 answers on this machine, so a request that slipped through would be seen here.
    let received = 0;
    const trap = Bun.serve({
      hostname: "127.0.0.2",
      port: 0,
      fetch: () => {
        received++;
        return new Response("{}", { status: 201 });
      },
    });
    try {
      for (const url of ["http://10.0.0.1:8080", `http://127.0.0.2:${trap.port}`]) {
        const proc = Bun.spawn(["bun", join(root, "bench/run.ts"), "--url", url, "--quick"], { cwd: root, stdout: "pipe", stderr: "pipe" });
        const [code, err, out] = await Promise.all([proc.exited, new Response(proc.stderr).text(), new Response(proc.stdout).text()]);
        expect(code).toBe(2);
        expect(err).toContain("refusing to send load");
        expect(out).not.toContain("seeding");
      }
      expect(received).toBe(0);
    } finally {
      trap.stop(true);
    }
  });

  test("every bench script answers --help with exit 0", () => {
    for (const script of ["run.ts", "redirect-vs-baseline.ts", "expensive-reads.ts", "webhooks.ts", "reshard.ts"]) {
      const r = Bun.spawnSync(["bun", join(root, "bench", script), "--help"], { cwd: root, stdout: "pipe", stderr: "pipe" });
      expect({ script, code: r.exitCode, options: r.stdout.toString().includes("options:") }).toEqual({ script, code: 0, options: true });
    }
  });
});

describe("what the matrix measures", () => {
  test("CPU time of a process grows with the work it does", () => {
    const before = cpuMicros(process.pid)!;
    const meter = cpuMeter(() => [process.pid]);
    let x = 0;
    const until = performance.now() + 150;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(meter.stop()).toBeGreaterThan(50_000);
    expect(cpuMicros(process.pid)!).toBeGreaterThan(before);
    expect(cpuMicros(2 ** 22 + 12345)).toBeNull();
  });

  const counter = (values: number[]): ClickCounter => {
    let i = 0;
    return { total: async () => values[Math.min(i++, values.length - 1)]!, close: async () => {} };
  };

  test("the count check passes once the recorded clicks reach the 3xx answers", async () => {
    const r = await waitForCount(counter([100, 150, 190, 200]), 100, 100, { pollMs: 1 });
    expect(r).toMatchObject({ ok: true, recorded: 100, expected: 100 });
  });

  test("it fails on clicks lost (the count stops short) and on clicks counted twice (it overshoots)", async () => {
    expect(await waitForCount(counter([100, 190, 199]), 100, 100, { pollMs: 1, settleMs: 30 })).toMatchObject({ ok: false, recorded: 99 });
    expect(await waitForCount(counter([100, 201]), 100, 100, { pollMs: 1, settleMs: 10_000 })).toMatchObject({ ok: false, recorded: 101 });
  });

  test("the table carries the CPU columns and marks a failed count", () => {
    const row: ScenarioResult = {
      target: "embedded",
      scenario: "(a) redirect, hot 1k codes",
      load: "closed",
      requestsPerSecond: 1000,
      p50Ms: 1,
      p90Ms: 1,
      p99Ms: 1,
      p999Ms: 1,
      errors: 0,
      non3xx: 0,
      rssMb: 100,
      ratioToBaseline: 0.5,
      cpuMicrosPerRequest: 11.25,
      baselineCpuMicrosPerRequest: 5.5,
      clickCheck: { expected: 10, recorded: 9, ok: false },
    };
    const table = markdownTable([row]);
    expect(table).toContain("CPU µs/req");
    expect(table).toContain("| 11.25 | 5.50 |");
    expect(table).toContain("FAIL 9 ≠ 10");
    expect(clickCell({ expected: 5, recorded: 5, ok: true })).toBe("ok 5");
    expect(clickCell(null)).toBe("–");
  });
});
