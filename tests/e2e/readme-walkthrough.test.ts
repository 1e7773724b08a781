/**
 * The README's walkthroughs, run as written: every shell block marked `<!-- test: embedded -->`
 * (optionally `<!-- test: embedded, allow 401 410 -->` for statuses the block shows on purpose)
 * runs in order, in one shell, against dist/ringlink started on a fresh DATA_DIR with ADMIN_TOKEN
 * set. `localhost:8080` becomes the test server's loopback address and `ringlink` the binary. A
 * curl that fails, or answers a 4xx/5xx its block does not allow, fails the test with the output.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMBEDDED_ENV, ROOT, ensureBinary, startServer, type RunningServer } from "../support/processes";

export interface ReadmeBlock {
  line: number;
  allow: string[];
  script: string;
}

/** The marked shell blocks of a README, in order. */
export function markedBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- test: embedded(?:, allow ([\d ]+))? -->$/.exec(lines[i]!.trim());
    if (!marker) continue;
    if (lines[i + 1]?.trim() !== "```sh") throw new Error(`README line ${i + 1}: a test marker must stand right before a \`\`\`sh block`);
    const end = lines.findIndex((l, j) => j > i + 1 && l.trim() === "```");
    blocks.push({ line: i + 3, allow: (marker[1] ?? "").split(" ").filter(Boolean), script: lines.slice(i + 2, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** curl, but a transfer error or an HTTP status the block does not allow stops the walkthrough. */
const PRELUDE = `set -euo pipefail
curl() {
  local err rc=0 status
  err=$(mktemp)
  command curl -sS "$@" -w '%{stderr}\\nREADME_HTTP_STATUS=%{http_code}\\n' 2>"$err" || rc=$?
  status=$(sed -n 's/^README_HTTP_STATUS=//p' "$err" | tail -n 1)
  grep -v '^README_HTTP_STATUS=' "$err" >&2 || true
  rm -f "$err"
  if [ "$rc" -ne 0 ]; then echo "README block: curl $* failed ($rc)" >&2; return "$rc"; fi
  if [ "\${status:-0}" -ge 400 ] && [[ " $README_ALLOW " != *" $status "* ]]; then
    echo "README block: HTTP $status from curl $*" >&2
    return 1
  fi
}
`;

let dir: string;
let server: RunningServer;
const ADMIN = "readme-walkthrough-admin-token-0123456789abcdef";

beforeAll(async () => {
  const binary = await ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "ringlink-readme-"));
  mkdirSync(join(dir, "bin"));
  symlinkSync(binary, join(dir, "bin/ringlink"));
  server = await startServer([binary, "serve"], { cwd: dir, env: { ...EMBEDDED_ENV, DATA_DIR: join(dir, "data"), ADMIN_TOKEN: ADMIN, HOST: "127.0.0.1" } });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

test("the marker convention finds blocks and their allowed statuses", () => {
  const blocks = markedBlocks(
    "a\n<!-- test: embedded -->\n```sh\necho 1\n```\n```sh\nnot marked\n```\n<!-- test: embedded, allow 401 410 -->\n```sh\necho 2\necho 3\n```\n",
  );
  expect(blocks).toEqual([
    { line: 4, allow: [], script: "echo 1" },
    { line: 11, allow: ["401", "410"], script: "echo 2\necho 3" },
  ]);
});

test("the walkthrough's curl stops on a status its block does not allow, and passes one it does", () => {
  const run = (allow: string) =>
    Bun.spawnSync([
      "bash",
      "-c",
      `${PRELUDE}README_ALLOW="${allow}"\ncurl -s http://127.0.0.1:${server.port}/api/v1/links/nope-nope\necho reached`,
    ]).stdout.toString();
  expect(run("")).not.toContain("reached");
  expect(run("404")).toContain("reached");
});

test("every marked README block runs, in order, against the binary on a fresh data dir", () => {
  const blocks = markedBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
  // the walkthroughs: quick start, API, keys, lifecycle, CLI, passwords, QR, bulk/import/export, stats
  expect(blocks.length).toBeGreaterThanOrEqual(9);
  const address = `127.0.0.1:${server.port}`;
  const script =
    PRELUDE +
    blocks
      .map((b) => `echo "### README line ${b.line}" >&2\nREADME_ALLOW="${b.allow.join(" ")}"\n${b.script.replaceAll("localhost:8080", address)}\n`)
      .join("\n");
  writeFileSync(join(dir, "walkthrough.sh"), script);
  const run = Bun.spawnSync(["bash", join(dir, "walkthrough.sh")], {
    cwd: dir,
    env: {
      ...process.env,
      ...EMBEDDED_ENV,
      PATH: `${join(dir, "bin")}:${process.env.PATH}`,
      DATA_DIR: join(dir, "data"),
      ADMIN_TOKEN: ADMIN,
      LOG_FORMAT: "json",
    },
    timeout: 90_000,
  });
  const output = `${run.stdout.toString()}\n${run.stderr.toString()}`;
  expect(run.exitCode, output.slice(-6000)).toBe(0);
  // What the blocks say happened did happen (spot checks across the walkthrough).
  expect(output).toContain("Location: https://example.com/a");
  expect(output).toMatch(/HTTP\/1\.1 303[\s\S]*location: https:\/\/example\.com\/report\.pdf/i);
  expect(output).toContain('"code":"wrong_password"');
  expect(output).toMatch(/created: http:\/\/localhost:\d+\/summer/);
  expect(readFileSync(join(dir, "report.svg"), "utf8")).toStartWith("<svg");
  expect(readFileSync(join(dir, "links.csv"), "utf8")).toStartWith("code,url,");
}, 120_000);
