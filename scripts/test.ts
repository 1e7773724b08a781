/**
 * `bun run test`: the whole suite, starting what it needs. Installs the missing Debian packages
 * (scripts/prerequisites.sh, as .ci/run does; RINGLINK_SKIP_PREREQUISITES=1 skips it), builds dist/ringlink (for the e2e tests),
 * starts the local cluster (PostgreSQL pairs, Redis, Kafka, Jaeger) for the integration tests, runs
 * `bun test`, stops the cluster it started, and prints one closing line: "N passed, N failed".
 *
 * RINGLINK_SKIP_INTEGRATION=1 runs without the cluster (the integration files then skip, and say so).
 */
import { $ } from "bun";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const skipIntegration = process.env.RINGLINK_SKIP_INTEGRATION === "1";
const hasIntegration = existsSync(join(root, "tests/integration")) && readdirSync(join(root, "tests/integration")).some((f) => f.endsWith(".test.ts"));
const cluster = join(root, "scripts/cluster.sh");

function step(message: string): void {
  console.log(`\n==> ${message}`);
}

/** Turns `export NAME='value'` lines into an env object. */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^export ([A-Z_][A-Z0-9_]*)='([^']*)'$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

let startedCluster = false;
let exitCode = 1;
try {
  if (process.env.RINGLINK_SKIP_PREREQUISITES !== "1") {
    step("apt prerequisites (scripts/prerequisites.sh)");
    await $`bash ${join(root, "scripts/prerequisites.sh")}`.cwd(root);
  }
  step("building dist/ringlink");
  await $`bun ${join(root, "scripts/build.ts")}`.cwd(root);

  const env: Record<string, string | undefined> = { ...process.env };
  if (hasIntegration && !skipIntegration) {
    step("starting the local cluster (scripts/cluster.sh up)");
    const alreadyUp = (await $`${cluster} status`.cwd(root).quiet().nothrow()).exitCode === 0;
    // Set before `up` so a half-started cluster (one node failed) is stopped too.
    startedCluster = !alreadyUp;
    // WITH_JAEGER=1: the tracing test needs Jaeger (built here when .ci/run has not built it yet).
    await $`${cluster} up`.cwd(root).env({ ...process.env, WITH_JAEGER: "1" });
    Object.assign(env, parseExports(await $`${cluster} env`.cwd(root).text()));
    step("applying migrations to every primary");
    await $`bun ${join(root, "src/main.ts")} migrate`.cwd(root).env(env);
  }

  step("running bun test");
  // bunfig.toml has no per-test timeout setting; suites that start real processes need more than 5 s.
  const proc = Bun.spawn(["bun", "test", "--timeout", "60000", ...process.argv.slice(2)], { cwd: root, env, stdout: "inherit", stderr: "pipe" });
  const decoder = new TextDecoder();
  let tail = "";
  for await (const chunk of proc.stderr) {
    process.stderr.write(chunk);
    tail = (tail + decoder.decode(chunk)).slice(-4000);
  }
  const code = await proc.exited;
  const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}\\s*$`, "m").exec(tail)?.[1] ?? NaN);
  const passed = count("pass");
  const failed = count("fail");
  const skipped = count("skip");
  if (Number.isNaN(passed) || Number.isNaN(failed)) {
    console.log("\ncould not read the test counts from bun test's summary");
    console.log(`0 passed, 1 failed`);
    exitCode = 1;
  } else {
    const skippedPart = Number.isNaN(skipped) || skipped === 0 ? "" : `, ${skipped} skipped`;
    exitCode = code !== 0 || failed > 0 || passed === 0 ? 1 : 0;
    if (code !== 0 && failed === 0) console.log(`\nbun test exited ${code} (an error outside a test; see above)`);
    console.log(`\n${passed} passed, ${failed} failed${skippedPart}`);
  }
} catch (error) {
  console.error(`\ntest run aborted: ${error instanceof Error ? error.message : String(error)}`);
  console.log("0 passed, 1 failed");
  exitCode = 1;
} finally {
  if (startedCluster) {
    step("stopping the local cluster");
    await $`${cluster} down`.cwd(root).nothrow();
  }
}
process.exit(exitCode);
