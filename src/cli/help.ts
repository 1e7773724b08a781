/**
 * `--help` of every command and subcommand. serve's options are the SETTINGS table of
 * src/config.ts (one source for the README's configuration table, the errors and this text).
 */
import { CONFIG_VARIABLES, plainMeaning } from "../config";

export function environmentHelp(): string {
  return CONFIG_VARIABLES.map((v) => `  ${(v.alias ? `${v.name} (${v.alias})` : v.name).padEnd(32)} ${plainMeaning(v.meaning)} (default ${v.default})`).join(
    "\n",
  );
}

const REMOTE = `Where: the configured store (DATA_DIR's SQLite file, or the shards of DATABASE_NODES) by default, as
the operator (no key needed, every target shown). With --url the command goes to a running
instance over its HTTP API and can do what --token's key may do there.
  --url URL          a ringlink instance, such as http://localhost:8080
  --token TOKEN      an API key or ADMIN_TOKEN for --url (or RINGLINK_TOKEN in the environment,
                     which keeps it out of the process list and the shell history)
  --json             the API's JSON instead of a table`;

const LINKS_SUB: Record<string, string> = {
  list: `Usage: ringlink links list [--limit N] [--tag TAG] [--q TEXT] [--cursor C | --all] [--json] [--url URL --token T]

Links, newest first, one page (--limit, at most 100; default 20) or every page with --all
(--limit then caps the total). --tag keeps links with that tag; --q searches code and URL.`,
  show: `Usage: ringlink links show CODE [--json] [--url URL --token T]

One link with its state, options and click count.`,
  create: `Usage: ringlink links create URL [--alias A] [--expires DATE] [--max-clicks N] [--redirect-type 301|302|307|308]
                            [--tags a,b] [--password P] [--forward-query] [--new-code] [--json] [--url URL --token T]

Shortens URL. The same URL shortened before answers its existing link unless --new-code (or any
option) is given. --expires is an ISO 8601 date-time in the future.`,
  update: `Usage: ringlink links update CODE [--target URL] [--expires DATE|never] [--max-clicks N|none]
                            [--redirect-type N] [--tags a,b|none] [--password P|none]
                            [--forward-query | --no-forward-query] [--disable | --enable] [--json] [--url URL --token T]

Changes what is given and keeps the rest; "never"/"none" clears expiry, click limit, tags, password.`,
  delete: `Usage: ringlink links delete CODE [--json] [--url URL --token T]

Deletes a link: its short URL answers 410 from then on and the code is never reused.`,
  stats: `Usage: ringlink links stats CODE [--from T] [--to T] [--interval minute|hour|day] [--top N] [--json] [--url URL --token T]

Click totals, the busy buckets of the time series and the top referrers, browsers, OS, devices
and countries. --from/--to are ISO 8601 or epoch milliseconds (default: the last 24 hours).`,
};

const KEYS_SUB: Record<string, string> = {
  create: `Usage: ringlink keys create --name NAME --scopes create,manage,stats,admin [--expires DATE|30d]

Creates an API key and prints its token once. --expires is a date, a date-time or a duration
(12h, 30d, 8w).`,
  list: `Usage: ringlink keys list [--json]

Every API key (never the tokens): id, name, scopes, created, expires and state.`,
  revoke: `Usage: ringlink keys revoke ID

Revokes a key; every instance refuses it within KEY_CACHE_MS.`,
};

const COMMANDS: Record<string, string> = {
  serve: `Usage: ringlink serve [--port N] [--processes N|auto]

HTTP API, redirects and dashboard.
  --port N           listen port (overrides PORT)
  --processes N      N processes sharing the port under a supervisor (auto: one per core)

Environment:
${environmentHelp()}`,
  migrate: `Usage: ringlink migrate

Applies sql/ migrations to every database of the configuration (and creates the Kafka topics
when KAFKA_BROKERS is set).`,
  worker: `Usage: ringlink worker analytics | ringlink worker classifier

  analytics          consume click events from Kafka into the aggregates
  classifier         consume link.created from Kafka, write each link's category`,
  seed: `Usage: ringlink seed N [--out FILE]

Inserts N links (benchmarks, demos) straight into the store; --out writes their codes to FILE.`,
  import: `Usage: ringlink import FILE.csv [--restart]

Creates links from a CSV with a header (url, and optionally code, alias, expiresAt, maxClicks,
redirectType, tags, password, forwardQuery). Resumable; a rerun creates no duplicates.
--restart ignores the checkpoint of an interrupted run.`,
  export: `Usage: ringlink export [--out FILE.csv]

Every live link as CSV, to stdout or to FILE (resumable with --out).`,
  topology: `Usage: ringlink topology [--json]

The shard map stored in the cluster: its version, every shard's primary, replica and Redis node
(passwords hidden), and the move in progress with its progress.`,
  reshard: `Usage: ringlink reshard --database-nodes LIST --redis-nodes LIST [--dry-run]
       ringlink reshard --from-embedded DATA_DIR

Moves the running cluster to the target map (shards added or removed at the end) while it serves;
killed, it resumes on the next run; a second run does nothing. --dry-run prints how many links
would move per shard pair. --from-embedded copies an embedded deployment's links, click counts,
aggregates and API keys into the configured cluster (idempotent). RESHARD_BATCH links per batch.`,
  verify: `Usage: ringlink verify [--repair] [--json]

Checks every shard: rows on the wrong shard, codes on two shards, rows left frozen by a stopped
reshard, replica rows that differ from their primary, Redis entries that disagree with the database,
aggregates of codes that do not exist. Exit 1 when something is (still) wrong; --repair fixes what
can be fixed without losing a write.`,
  keys: `Usage: ringlink keys create|list|revoke

${Object.values(KEYS_SUB)
  .map((h) => `  ${h.split("\n")[0]!.replace("Usage: ", "")}`)
  .join("\n")}

ringlink keys SUBCOMMAND --help for each.`,
  links: `Usage: ringlink links list|show|create|update|delete|stats

${Object.values(LINKS_SUB)
  .map((h) => `  ${h.split("\n")[0]!.replace("Usage: ", "")}`)
  .join("\n")}

${REMOTE}

ringlink links SUBCOMMAND --help for each.`,
};

/** The help of `command [sub]`, or undefined when there is no such command. */
export function commandHelp(command: string, sub: string | undefined): string | undefined {
  if (command === "links" && sub !== undefined && LINKS_SUB[sub] !== undefined) return `${LINKS_SUB[sub]}\n\n${REMOTE}`;
  if (command === "keys" && sub !== undefined && KEYS_SUB[sub] !== undefined) return KEYS_SUB[sub];
  return COMMANDS[command];
}
