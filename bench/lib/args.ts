/**
 * Command-line options of every bench script, parsed one way: `--help` prints the usage and the
 * options (exit 0); an unknown option or a missing value is one line on stderr and exit 2, never
 * a stack trace.
 */
import { parseArgs } from "node:util";

export interface BenchOption {
  type: "string" | "boolean";
  default?: string | boolean;
  /** one line for --help */
  help: string;
}

type Values<T extends Record<string, BenchOption>> = {
  [K in keyof T]: T[K]["type"] extends "boolean" ? boolean : T[K] extends { default: string } ? string : string | undefined;
};

/** The --help text: the usage, then one aligned line per option with its default. */
export function benchHelp(usage: string, options: Record<string, BenchOption>): string {
  const rows = Object.entries(options).map(([name, o]) => [`--${name}${o.type === "string" ? " VALUE" : ""}`, o] as const);
  const width = Math.max(...rows.map(([flag]) => flag.length), "--help".length);
  const lines = rows.map(([flag, o]) => {
    const shown = o.type === "string" && o.default !== undefined ? ` (default: ${o.default})` : "";
    return `  ${flag.padEnd(width)}  ${o.help}${shown}`;
  });
  return `${usage.trim()}\n\noptions:\n${lines.join("\n")}\n  ${"--help".padEnd(width)}  print this and exit\n`;
}

/**
 * Parses `argv` (default: this process's arguments). On --help it prints and exits 0; on a mistake
 * it prints `<script>: <what> (see --help)` and exits 2. Positional arguments are refused too.
 */
export function parseBenchArgs<T extends Record<string, BenchOption>>(
  usage: string,
  options: T,
  argv: string[] = process.argv.slice(2),
  exit: (code: number) => never = (code) => process.exit(code),
): Values<T> {
  const script = (process.argv[1] ?? "bench").split("/").slice(-2).join("/");
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(benchHelp(usage, options));
    return exit(0);
  }
  const spec = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, o.default === undefined ? { type: o.type } : { type: o.type, default: o.default }]),
  ) as Parameters<typeof parseArgs>[0] extends infer P ? (P extends { options?: infer O } ? O : never) : never;
  try {
    const { values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false });
    return values as Values<T>;
  } catch (error) {
    // node:util's messages are one sentence each ("Unknown option '--x'..."); keep the first line.
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.replace(/\. To specify a positional.*$/, "");
    process.stderr.write(`${script}: ${message} (see --help)\n`);
    return exit(2);
  }
}

/** A mistake on the command line: one line on stderr, exit 2. */
export function usageError(message: string, exit: (code: number) => never = (code) => process.exit(code)): never {
  const script = (process.argv[1] ?? "bench").split("/").slice(-2).join("/");
  process.stderr.write(`${script}: ${message} (see --help)\n`);
  return exit(2);
}

/** `check(raw)` for an option naming a target (assertLoopback and kin): a refusal is a usage error, not a stack trace. */
export function checkedOption<T>(name: string, raw: string, check: (raw: string) => T): T {
  try {
    return check(raw);
  } catch (error) {
    return usageError(`--${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
