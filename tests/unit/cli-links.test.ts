/** `ringlink links` against the embedded store and against a running instance over HTTP; tables, --json, --help, closed pipes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app";
import { formatTable } from "../../src/cli";
import { localLinkClient, remoteLinkClient, type LinkClient } from "../../src/cli/link-clients";
import { openLinkClient, runLinksCommand } from "../../src/cli/links";
import { loadConfig } from "../../src/config";
import { createRuntime, type Runtime } from "../../src/runtime";

const ADMIN = "cli-test-admin-token-0123456789abcdef";

async function run(client: LinkClient, argv: string[], flags: Record<string, string | true> = {}) {
  const lines: string[] = [];
  const code = await runLinksCommand(client, { rest: argv, flags }, (t) => lines.push(t));
  return { code, text: lines.join("\n") };
}

describe("formatTable", () => {
  test("pads columns to the widest cell, right-aligns numbers, cuts long cells, no trailing blanks", () => {
    const rows = [
      { a: "x", n: 5, u: "https://example.com/a-very-long-path" },
      { a: "longer", n: 1234, u: "-" },
    ];
    const text = formatTable(
      [
        { header: "code", value: (r: (typeof rows)[number]) => r.a },
        { header: "clicks", value: (r) => r.n },
        { header: "url", value: (r) => r.u, max: 12 },
      ],
      rows,
    );
    expect(text.split("\n")).toEqual(["CODE    CLICKS  URL", "x            5  https://exa…", "longer    1234  -"]);
  });
});

for (const mode of ["embedded store", "remote instance"] as const) {
  describe(`ringlink links (${mode})`, () => {
    let dataDir: string;
    let runtime: Runtime | null = null;
    let server: ReturnType<typeof Bun.serve> | null = null;
    let client: LinkClient;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "ringlink-cli-"));
      const config = loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off", ADMIN_TOKEN: ADMIN, PUBLIC_BASE_URL: "https://s.example" });
      if (mode === "embedded store") client = await localLinkClient(config);
      else {
        runtime = await createRuntime(config);
        const app = buildApp(runtime);
        server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => app.handle(request) });
        client = remoteLinkClient(`http://127.0.0.1:${server.port}/`, ADMIN);
      }
    });
    afterAll(async () => {
      await client.close();
      server?.stop(true);
      await runtime?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test("create, show, list (table and --json), update, stats, delete", async () => {
      const created = await run(client, ["create", "https://example.com/cli"], { alias: "cli-one", tags: "docs,cli", "max-clicks": "9", json: true });
      expect(created.code).toBe(0);
      const link = JSON.parse(created.text);
      expect(link).toMatchObject({
        code: "cli-one",
        shortUrl: "https://s.example/cli-one",
        url: "https://example.com/cli",
        maxClicks: 9,
        tags: ["docs", "cli"],
      });

      await run(client, ["create", "https://example.com/second"]);
      const table = (await run(client, ["list"])).text.split("\n");
      expect(table[0]).toMatch(/^CODE\s+CLICKS\s+STATUS\s+CREATED\s+EXPIRES\s+TAGS\s+URL$/);
      const row = table.find((l) => l.startsWith("cli-one"))!;
      expect(row).toMatch(/^cli-one\s+0\s+active\s+.*docs,cli\s+https:\/\/example\.com\/cli$/);
      expect(row.indexOf("https://example.com/cli")).toBe(table[0]!.indexOf("URL"));

      const page = JSON.parse((await run(client, ["list"], { json: true, limit: "1" })).text);
      expect(page.items).toHaveLength(1);
      expect(page.nextCursor).not.toBeNull();
      const all = JSON.parse((await run(client, ["list"], { json: true, all: true })).text);
      expect(all.map((l: { code: string }) => l.code)).toContain("cli-one");
      expect(all).toHaveLength(2);
      const tagged = JSON.parse((await run(client, ["list"], { json: true, tag: "cli" })).text);
      expect(tagged.items.map((l: { code: string }) => l.code)).toEqual(["cli-one"]);

      const shown = await run(client, ["show", "cli-one"]);
      expect(shown.text).toMatch(/^short url\s+https:\/\/s\.example\/cli-one$/m);

      const updated = JSON.parse((await run(client, ["update", "cli-one"], { "max-clicks": "none", disable: true, tags: "none", json: true })).text);
      expect(updated).toMatchObject({ maxClicks: null, disabled: "manual", tags: [] });

      const stats = JSON.parse((await run(client, ["stats", "cli-one"], { interval: "day", json: true })).text);
      expect(stats).toMatchObject({ code: "cli-one", interval: "day", totals: { clicks: 0 } });

      expect((await run(client, ["delete", "cli-one"])).code).toBe(0);
      const gone = await run(client, ["show", "cli-one"], { json: true });
      expect(gone.code).toBe(1);
      expect(JSON.parse(gone.text).error).toMatchObject({ code: "deleted", status: 410 });
    });

    test("the service's refusals are exit status 1 with the API's code, not a crash", async () => {
      const bad = await run(client, ["create", "ftp://example.com/x"], { json: true });
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.text).error.status).toBe(400);
      await expect(run(client, ["update", "nope"])).rejects.toThrow("at least one change");
      await expect(run(client, ["list"], { limit: "500" })).rejects.toThrow("from 1 to 100");
    });
  });
}

test("a remote instance refuses a missing or wrong token with its own code", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ringlink-cli-"));
  const runtime = await createRuntime(loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off", ADMIN_TOKEN: ADMIN }));
  const app = buildApp(runtime);
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => app.handle(request) });
  try {
    const anonymous = await run(remoteLinkClient(`http://127.0.0.1:${server.port}`, undefined), ["list"], { json: true });
    expect(anonymous.code).toBe(1);
    expect(JSON.parse(anonymous.text).error.status).toBe(401);
    const wrong = await run(remoteLinkClient(`http://127.0.0.1:${server.port}`, "rl_wrong"), ["list"], { json: true });
    expect(wrong.code).toBe(1);
    // RINGLINK_TOKEN stands in for --token (kept out of the process list); --token wins
    const config = loadConfig({ DATA_DIR: dataDir });
    const fromEnv = await openLinkClient(config, { url: `http://127.0.0.1:${server.port}` }, ADMIN);
    expect((await run(fromEnv, ["list"], { json: true })).code).toBe(0);
    const flagWins = await openLinkClient(config, { url: `http://127.0.0.1:${server.port}`, token: "rl_wrong" }, ADMIN);
    expect((await run(flagWins, ["list"], { json: true })).code).toBe(1);
    expect([401, 403]).toContain(JSON.parse(wrong.text).error.status);
  } finally {
    server.stop(true);
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe("the ringlink command", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ringlink-cli-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const ringlink = (args: string[]) => {
    const p = Bun.spawnSync(["bun", "src/main.ts", ...args], { env: { ...process.env, DATA_DIR: dataDir, LOG_FORMAT: "json" } });
    return { status: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
  };

  test("--help of every command and subcommand says how to use it, status 0", () => {
    const serve = ringlink(["serve", "--help"]);
    expect(serve.status).toBe(0);
    expect(serve.out).toContain("--processes");
    expect(serve.out).toContain("DATA_DIR");
    expect(serve.out).toContain("PUBLIC_BASE_URL");
    const commands = [["migrate"], ["worker"], ["seed"], ["import"], ["export"], ["keys"], ["links"]];
    const subs = ["list", "show", "create", "update", "delete", "stats"].map((s) => ["links", s]).concat(["create", "list", "revoke"].map((s) => ["keys", s]));
    for (const argv of [...commands, ...subs]) {
      const r = ringlink([...argv, "--help"]);
      expect(r.status, argv.join(" ")).toBe(0);
      expect(r.out, argv.join(" ")).toStartWith(`Usage: ringlink ${argv.join(" ")}`);
    }
    expect(ringlink(["help", "links", "stats"]).out).toStartWith("Usage: ringlink links stats");
    expect(ringlink(["links", "list", "--token", "x"]).err).toContain("--token goes with --url");
  }, 60_000);

  test("a closed pipe ends the output quietly with status 0", () => {
    expect(ringlink(["seed", "20000"]).status).toBe(0);
    // $PIPESTATUS alone is the first command's status: the exporter's, not head's.
    const p = Bun.spawnSync(["bash", "-c", 'bun src/main.ts export 2>"$DATA_DIR/err.txt" | head -1 >/dev/null; echo "$PIPESTATUS"; cat "$DATA_DIR/err.txt"'], {
      env: { ...process.env, DATA_DIR: dataDir },
    });
    const [status, ...err] = p.stdout.toString().trim().split("\n");
    expect(status).toBe("0");
    expect(err.join("\n")).toBe("");
  }, 60_000);
});
