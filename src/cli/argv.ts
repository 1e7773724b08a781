/** A deliberately small argv parser: a command word, then --flag value / --flag=value pairs. */
export interface ParsedArgs {
  command: string | undefined;
  rest: string[];
  flags: Record<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], valueFlags: ReadonlySet<string>, boolFlags: ReadonlySet<string>): ParsedArgs {
  const flags: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h") flags.help = true;
    else if (arg === "-v") flags.version = true;
    else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      if (boolFlags.has(name)) {
        if (eq !== -1) throw new UsageError(`--${name} takes no value`);
        flags[name] = true;
      } else if (valueFlags.has(name)) {
        const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
        if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
        flags[name] = value;
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else rest.push(arg);
  }
  return { command: rest.shift(), rest, flags };
}
