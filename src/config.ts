/**
 * The one place where environment variables and flags are read. Everything else receives a `Config`.
 * A bad value stops start-up with one line naming the variable and what is wrong with it.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { parseDomains, type ShortDomain } from "./domains";
import { MAX_NODE_ID, MAX_PROCESS_INDEX } from "./ids";
import type { LogFormat } from "./log";
import { parseCidr, parsePolicy, type Cidr, type RatePolicy } from "./ratelimit";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

export type AccessLog = "all" | "api" | "off";

export interface ShardNodes {
  primary: string;
  replica: string;
}

/** Distributed mode's time budgets and failure thresholds (see README design notes for the numbers). */
export interface ResilienceConfig {
  /** connections per PostgreSQL node and process */
  dbPoolMax: number;
  dbConnectTimeoutMs: number;
  /** one PostgreSQL call */
  dbQueryTimeoutMs: number;
  /** one Redis command, and connecting to a Redis node */
  redisTimeoutMs: number;
  /** everything one store operation may spend, retries and fallbacks included */
  requestDeadlineMs: number;
  /** extra attempts for idempotent reads (writes are never retried) */
  readRetries: number;
  /** consecutive failures that open a node's circuit breaker */
  breakerFailures: number;
  /** how often every node is probed (the probe closes an open breaker) */
  probeIntervalMs: number;
}

/** The event pipeline: the Kafka producer, its topics and its on-disk spool. */
export interface EventsConfig {
  kafkaPartitions: number;
  kafkaReplicationFactor: number;
  /** prepended to link.created / link.clicked (several deployments or test runs on one cluster) */
  topicPrefix: string;
  lingerMs: number;
  batchSize: number;
  spoolMaxBytes: number;
}

/** The analytics consumer (`ringlink worker analytics`) and the dedupe window of every aggregator. */
export interface AnalyticsConfig {
  consumerGroup: string;
  dedupeRetentionMs: number;
  /** worker's /healthz and /metrics port; undefined = no listener */
  workerPort: number | undefined;
}

/** Webhook deliveries (README "Webhooks"), by the serving process in embedded mode or `ringlink worker webhooks`. */
export interface WebhooksConfig {
  allowLoopback: boolean;
  timeoutMs: number;
  concurrency: number;
  retryBaseMs: number;
  retryWindowMs: number;
  consumerGroup: string;
}

/** API keys, anonymous access and abuse protection (README "Managing links"). */
export interface LinkManagementConfig {
  /** anonymous POST /api/v1/links */
  anonCreate: boolean;
  /** anonymous custom aliases: auto = until the first API key exists */
  anonAliases: "auto" | "true" | "false";
  /** domain blocklist, polled for changes; undefined = none */
  blocklistFile: string | undefined;
  /** classifier confidence at which `suspicious` is refused/disabled; null = off */
  unsafeUrlThreshold: number | null;
  /** password attempts per client and link */
  rateLimitPassword: RatePolicy | null;
  /** new link passwords hashed per client (create, bulk, PATCH): each is an argon2id hash */
  rateLimitPasswordHash: RatePolicy | null;
  /** refused credentials (bad, unknown, revoked or expired key; wrong admin token) per client */
  rateLimitAuthFailures: RatePolicy | null;
}

/** OpenTelemetry traces; null endpoint: off (the SDK is never loaded). */
export interface TracingConfig {
  endpoint: string | null;
  serviceName: string;
  /** creates, API requests and worker batches: share of new traces sampled */
  sampleRatio: number;
  /** redirects: share traced (0 = not at all) */
  redirectRatio: number;
}

export interface Config {
  mode: "embedded" | "distributed";
  port: number;
  host: string;
  processes: number;
  processIndex: number;
  nodeId: number;
  dataDir: string;
  /** embedded mode's database: DATA_DIR/ringlink.sqlite (links, keys and aggregates) */
  sqlitePath: string;
  publicBaseUrl: string;
  publicHostname: string;
  /** short domains besides publicHostname (DOMAINS) */
  domains: ShortDomain[];
  /** pages besides our own that may open /ws in a visitor's browser (normalised origins) */
  wsAllowedOrigins: string[];
  /** CORS_ORIGINS: origins (or "*") whose pages may call the API */
  corsOrigins: string[];
  adminToken: string | undefined;
  /** signs dashboard session cookies; undefined: generated once in DATA_DIR */
  sessionSecret: string | undefined;
  sessionTtlMs: number;
  visitorSalt: string | undefined;
  maxUrlLength: number;
  maxBodyBytes: number;
  blockPrivateTargets: boolean;
  codeLength: number;
  cacheEntries: number;
  /** the L1's bound on the bytes its entries hold (an estimate per entry); 0 = count only */
  cacheMemoryBytes: number;
  /** serving processes: RSS above which a full garbage collection runs (0 = leave it to the runtime) */
  memorySoftLimitBytes: number;
  cacheTtlMs: number;
  negativeCacheTtlMs: number;
  accessLog: AccessLog;
  /** json lines (default), or pretty text for a terminal */
  logFormat: LogFormat;
  clickEvents: boolean;
  classifyLinks: boolean;
  rateLimitCreate: RatePolicy | null;
  rateLimitRedirect: RatePolicy | null;
  /** QR codes per client (GET /api/v1/links/:code/qr) */
  rateLimitQr: RatePolicy | null;
  /** listing pages and stats reads per client */
  rateLimitReads: RatePolicy | null;
  rateLimitCreateOnRedisDown: "local" | "open" | "closed";
  trustedProxies: Cidr[];
  linkManagement: LinkManagementConfig;
  shards: ShardNodes[];
  redisNodes: string[];
  topologyCheckIntervalMs: number;
  verifyIntervalMs: number;
  reshardBatch: number;
  kafkaBrokers: string[];
  /** where events go: the broker when KAFKA_BROKERS is set, otherwise this process */
  eventTransport: "in-process" | "kafka";
  events: EventsConfig;
  analytics: AnalyticsConfig;
  webhooks: WebhooksConfig;
  resilience: ResilienceConfig;
  /** GEOIP_DATABASE: "embedded", a file path, or null (off) */
  geoipDatabase: string | null;
  tracing: TracingConfig;
}

export type Env = Record<string, string | undefined>;

export interface Flags {
  port?: string;
  processes?: string;
  processIndex?: string;
}

/**
 * Every variable ringlink reads, with its default and what it means: the one table behind
 * `loadConfig`'s fallbacks, `ringlink --help` and the README's configuration table (a test keeps
 * the README equal to it; `bun scripts/config-table.ts --write` rewrites it). A default is a string
 * parsed like a value from the environment, so it obeys the same rules.
 */
export interface Setting {
  /** used when the variable is unset or empty; null: no value (the option is off, or computed) */
  default: string | null;
  /** how the default reads in --help and the README when there is no value to show */
  shown?: string;
  /** one sentence for --help and the README (Markdown: `code` and [links](#anchors)) */
  meaning: string;
  /** another name read when this one is unset */
  alias?: string;
}

export const SETTINGS = {
  PORT: { default: "8080", meaning: "HTTP port (flag `--port` wins)" },
  HOST: { default: "0.0.0.0", meaning: "address to bind" },
  PROCESSES: { default: "1", meaning: "server processes sharing the port with reusePort (flag `--processes` wins)" },
  NODE_ID: { default: "0", meaning: "unique per instance, 0..63; feeds the id generator" },
  DATA_DIR: { default: "./data", meaning: "embedded mode: SQLite database and spool files" },
  PUBLIC_BASE_URL: { default: null, shown: "http://localhost:$PORT", meaning: "base of the short URLs handed out; links to this host are refused" },
  ADMIN_TOKEN: {
    default: null,
    meaning:
      "super-key: a bearer token with every API-key scope (create, manage, stats, admin); at least 32 printable ASCII characters without spaces, or start-up stops",
  },
  WS_ALLOWED_ORIGINS: {
    default: null,
    shown: "(none)",
    meaning: "comma list of other origins (`https://ops.example`) whose pages may open `/ws`; our own always may",
  },
  SESSION_SECRET: {
    default: null,
    shown: "(generated in DATA_DIR)",
    meaning: "key that signs dashboard session cookies (at least 32 characters); set the same value on every instance",
  },
  SESSION_TTL: { default: "12h", meaning: "how long a dashboard sign-in lasts (`N` seconds or `Nm`, `Nh`, `Nd`; 1m..30d)" },
  CORS_ORIGINS: {
    default: null,
    shown: "(none)",
    meaning:
      "comma list of origins (`https://app.example`), or `*`, whose pages may call `/api/...` (CORS, without credentials: a bearer token of their own); none: same-origin only",
  },
  VISITOR_SALT: { default: null, shown: "(generated in DATA_DIR)", meaning: "secret for unique-visitor hashes; set the same value on every instance" },
  MAX_URL_LENGTH: { default: "2048", meaning: "longest target URL accepted" },
  MAX_BODY_BYTES: { default: "16384", meaning: "largest JSON body accepted (413 above)" },
  BLOCK_PRIVATE_TARGETS: {
    default: "true",
    meaning: "refuse localhost, loopback, private, link-local and unspecified targets, and names that resolve to loopback by design",
  },
  CODE_LENGTH: { default: "7", meaning: "length of generated base62 codes" },
  CACHE_ENTRIES: { default: "100000", meaning: "in-process LRU capacity (0 disables it)" },
  CACHE_MEMORY_MB: { default: "24", meaning: "in-process LRU bound on memory, estimated per entry from its URL and rules (0 = CACHE_ENTRIES only)" },
  MEMORY_SOFT_LIMIT_MB: {
    default: "120",
    meaning: "per serving process: resident memory above which a full garbage collection runs (at most one per 5 s; 0 = off)",
  },
  CACHE_TTL_SECONDS: { default: "300", meaning: "lifetime of a cached link" },
  NEGATIVE_CACHE_TTL_SECONDS: { default: "10", meaning: 'lifetime of a cached "no such code"' },
  ACCESS_LOG: { default: "api", meaning: "one log line per request: all, api (not redirects) or off" },
  LOG_FORMAT: {
    default: "json",
    meaning: "log lines as JSON, one object per line with `ts` and `level` (warnings and errors on stderr), or `pretty` text for a terminal",
  },
  CLICK_EVENTS: { default: "true", meaning: "publish a `link.clicked` event per redirect (false: no click analytics)" },
  CLASSIFY_LINKS: {
    default: "true",
    meaning: "embedded mode: classify new links in-process with the ONNX model (with Kafka, `ringlink worker classifier` does)",
  },
  RATE_LIMIT_CREATE: { default: "600/min", meaning: "token bucket per client for creates (`N/s`, `N/min`, `N/h` or `off`)" },
  RATE_LIMIT_REDIRECT: { default: "off", meaning: "token bucket per client for redirects" },
  RATE_LIMIT_QR: { default: "60/min", meaning: "QR codes per client (`GET /api/v1/links/:code/qr`)" },
  RATE_LIMIT_READS: { default: "300/min", meaning: "listing pages (`GET /api/v1/links`) and stats reads per client" },
  RATE_LIMIT_CREATE_ON_REDIS_DOWN: {
    default: "local",
    meaning: "creates while Redis is unreachable: `local` (per-instance buckets), `open` or `closed`",
  },
  TRUSTED_PROXIES: { default: null, shown: "(none)", meaning: "comma list of proxy IPs/CIDRs whose `X-Forwarded-For` is believed" },
  DOMAINS: {
    default: null,
    shown: "(none)",
    meaning: "more short domains besides PUBLIC_BASE_URL's host: comma list of `host [root=URL] [not-found=URL] [keys=ID+ID]` ([Domains](#domains))",
  },
  ANON_CREATE: { default: "true", meaning: "allow creating links without an API key ([Managing links](#managing-links))" },
  ANON_ALIASES: { default: "auto", meaning: "custom aliases without an API key: `auto` (until the first key exists), `true` or `false`" },
  BLOCKLIST_FILE: { default: null, meaning: "file of blocked domains, one per line (subdomains included); re-read within a second of a change" },
  UNSAFE_URL_THRESHOLD: {
    default: "0.9",
    meaning: "classifier confidence at which a `suspicious` URL is refused (422 `unsafe_url`) or disabled later; `off` disables",
  },
  RATE_LIMIT_PASSWORD: { default: "10/min", meaning: "password attempts per client and link" },
  RATE_LIMIT_PASSWORD_HASH: { default: "30/min", meaning: "new link passwords per client (create, bulk, PATCH; each costs an argon2id hash)" },
  RATE_LIMIT_AUTH_FAILURES: {
    default: "10/min",
    meaning:
      "refused credentials per client (bad, unknown, revoked or expired key; wrong admin token); past it the client's authenticated requests answer 429 until the bucket refills",
  },
  DATABASE_NODES: { default: null, alias: "DB_NODES", meaning: "distributed mode: primary,replica PostgreSQL URLs per shard" },
  REDIS_NODES: { default: null, meaning: "distributed mode: one Redis URL per shard" },
  KAFKA_BROKERS: {
    default: null,
    meaning:
      "host:port list of the event broker: events go to Kafka and `ringlink worker analytics` aggregates them (see [Events and analytics](#events-and-analytics))",
  },
  DB_POOL_MAX: { default: "10", meaning: "distributed mode: PostgreSQL connections per node and process" },
  DB_CONNECT_TIMEOUT_MS: { default: "1000", meaning: "distributed mode: time to open a PostgreSQL connection" },
  DB_QUERY_TIMEOUT_MS: { default: "2000", meaning: "distributed mode: time one PostgreSQL call may take" },
  REDIS_TIMEOUT_MS: { default: "250", meaning: "distributed mode: time one Redis command (or connect) may take" },
  REQUEST_DEADLINE_MS: { default: "3000", meaning: "distributed mode: budget of one storage operation, retries and fallbacks included" },
  READ_RETRIES: { default: "2", meaning: "distributed mode: extra attempts for idempotent reads (writes are never retried)" },
  BREAKER_FAILURES: { default: "3", meaning: "distributed mode: consecutive failures that open a node's circuit breaker" },
  TOPOLOGY_CHECK_INTERVAL_MS: {
    default: "1000",
    meaning: "distributed mode: how often each process reads the stored topology (a reshard also notifies over Redis)",
  },
  VERIFY_INTERVAL_MS: { default: "300000", meaning: "distributed mode: how often `worker analytics` runs `verify` (0 = never)" },
  RESHARD_BATCH: { default: "500", meaning: "links copied per batch by `ringlink reshard`" },
  HEALTH_PROBE_INTERVAL_MS: { default: "1000", meaning: "distributed mode: how often each node is probed (closes open breakers)" },
  KAFKA_PARTITIONS: {
    default: "3",
    meaning: "partitions of `link.created` / `link.clicked` when `ringlink migrate` (or the first producer) creates them",
  },
  KAFKA_REPLICATION_FACTOR: { default: "1", meaning: "replicas of the event topics when they are created" },
  KAFKA_TOPIC_PREFIX: { default: null, shown: "(none)", meaning: "prefix of the topic names (several deployments or test runs on one cluster)" },
  EVENT_LINGER_MS: { default: "20", meaning: "Kafka producer: longest wait for more events before a batch is sent" },
  EVENT_BATCH_SIZE: { default: "2000", meaning: "Kafka producer: queued events that trigger a send at once" },
  EVENT_SPOOL_MAX_MB: {
    default: "256",
    meaning: "bound of the on-disk spool (`DATA_DIR/spool/`) that holds events while the broker is unreachable",
  },
  ANALYTICS_GROUP: { default: "ringlink-analytics", meaning: "consumer group of the analytics worker (its offsets are stored per group)" },
  ANALYTICS_DEDUPE_HOURS: { default: "72", meaning: "how long processed event ids are kept to drop duplicates" },
  WORKER_PORT: { default: null, meaning: "a worker (analytics, classifier) serves `/healthz` and `/metrics` on `HOST` at this port" },
  GEOIP_DATABASE: {
    default: "embedded",
    meaning:
      "country of a click without a CDN header: `embedded` (the IP-to-country data in the binary, see [Geolocation](#geolocation)), a path to another country `.mmdb` file, or `off`",
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    default: null,
    meaning: "OTLP/HTTP collector (`http://host:4318`): traces are sent there; unset, tracing is off and no tracing code loads ([Tracing](#tracing))",
  },
  OTEL_SERVICE_NAME: { default: null, shown: "ringlink", meaning: "the service name on every span (workers add `-analytics` / `-classifier`)" },
  OTEL_TRACES_SAMPLER_ARG: {
    default: "1",
    meaning: "share of creates and worker batches that start a trace, 0..1 (a trace that arrives with a parent follows it)",
  },
  TRACE_REDIRECTS: { default: "0", meaning: "share of redirects traced, 0..1; 0 keeps tracing off the redirect path" },
  WEBHOOK_ALLOW_LOOPBACK: {
    default: "false",
    meaning: "webhook URLs may point at loopback (127.0.0.0/8, ::1, localhost): tests and local setups; other private addresses stay refused",
  },
  WEBHOOK_TIMEOUT_MS: { default: "10000", meaning: "a webhook delivery's time for the receiver's answer; later counts as a failure and is retried" },
  WEBHOOK_CONCURRENCY: { default: "4", meaning: "webhook deliveries in flight per receiver (a slow one uses only its own)" },
  WEBHOOK_RETRY_BASE_MS: { default: "5000", meaning: "first webhook retry's delay; each further one doubles (at most 1 h), with jitter" },
  WEBHOOK_RETRY_HOURS: { default: "24", meaning: "a failing webhook delivery is retried this long, then marked failed" },
  WEBHOOK_GROUP: { default: "ringlink-webhooks", meaning: "consumer group of `ringlink worker webhooks`" },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The variables `loadConfig` reads, in the table's order: for --help, the README and the deployment-files check. */
export const CONFIG_VARIABLES: ReadonlyArray<{ name: string; alias?: string; default: string; meaning: string }> = Object.entries(SETTINGS).map(
  ([name, s]: [string, Setting]) => ({
    name,
    alias: s.alias,
    default: s.shown ?? (s.default === null ? "(unset)" : s.default),
    meaning: s.meaning,
  }),
);

/** The README's configuration table, rows padded to the widest cell as the rest of the README. */
export function configTableMarkdown(): string {
  const rows = CONFIG_VARIABLES.map((v) => [`\`${v.name}\`${v.alias ? ` (\`${v.alias}\`)` : ""}`, v.default, v.meaning]);
  const head = ["variable", "default", "meaning"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

/** A meaning as plain text for a terminal: Markdown code marks and links dropped. */
export function plainMeaning(meaning: string): string {
  return meaning.replace(/\[([^\]]+)\]\([^)]+\)/g, "$1").replace(/`/g, "");
}

/** The variable's value: the environment (empty counts as unset), its alias, or the table's default. */
function setting(env: Env, name: SettingName): string | undefined {
  const s: Setting = SETTINGS[name];
  return text(env, name) ?? (s.alias === undefined ? undefined : text(env, s.alias)) ?? s.default ?? undefined;
}

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === "" ? undefined : v;
}

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number ${min}..${max} (got '${raw}')`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}

function boolean(name: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(name, `must be true or false (got '${raw}')`);
}

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(name, `must be one of ${allowed.join(", ")} (got '${raw}')`);
}

function policy(name: string, raw: string, label: string): RatePolicy | null {
  try {
    return parsePolicy(label, raw);
  } catch (error) {
    throw new ConfigError(name, (error as Error).message);
  }
}

function domainList(raw: string | undefined): ShortDomain[] {
  try {
    return parseDomains(raw);
  } catch (error) {
    throw new ConfigError("DOMAINS", (error as Error).message);
  }
}

function cidrs(name: string, raw: string | undefined): Cidr[] {
  return list(raw).map((entry) => {
    const cidr = parseCidr(entry);
    if (!cidr) throw new ConfigError(name, `'${entry}' is not an IP address or CIDR range`);
    return cidr;
  });
}

function list(raw: string | undefined): string[] {
  return raw === undefined
    ? []
    : raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL (got '${raw}')`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `must use http or https (got '${url.protocol}')`);
  }
  return url;
}

/** scheme://host[:port] of an http(s) page, nothing more. */
function origin(name: string, raw: string): string {
  const url = httpUrl(name, raw);
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "") {
    throw new ConfigError(name, `'${raw}' is not an origin (scheme://host[:port], no path)`);
  }
  return url.origin;
}

function urlsWithScheme(name: string, values: string[], schemes: string[]): string[] {
  for (const v of values) {
    let ok = false;
    try {
      ok = schemes.includes(new URL(v).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError(name, `'${redact(v)}' is not a ${schemes.map((s) => s.replace(":", "://")).join(" or ")} URL`);
  }
  return values;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/** Kafka topic and group names allow letters, digits, ".", "_" and "-". */
function kafkaName(name: string, raw: string | undefined): string {
  if (raw === undefined) return "";
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(raw))
    throw new ConfigError(name, `may hold only letters, digits, '.', '_' and '-' (at most 100; got '${raw.slice(0, 40)}')`);
  return raw;
}

/**
 * The super-key: long enough that guessing it is hopeless, and printable ASCII without spaces so
 * it survives `Authorization: Bearer <token>` unchanged. The value itself is never echoed.
 */
export const MIN_ADMIN_TOKEN_LENGTH = 32;
function adminToken(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[\x21-\x7e]+$/.test(raw)) throw new ConfigError("ADMIN_TOKEN", "may hold only printable ASCII characters, no spaces or control characters");
  if (raw.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError("ADMIN_TOKEN", `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters long (got ${raw.length}); for example: openssl rand -hex 32`);
  }
  return raw;
}

export const MIN_SESSION_SECRET_LENGTH = 32;
function sessionSecret(raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.length < MIN_SESSION_SECRET_LENGTH) {
    throw new ConfigError(
      "SESSION_SECRET",
      `must be at least ${MIN_SESSION_SECRET_LENGTH} characters long (got ${raw.length}); for example: openssl rand -hex 32`,
    );
  }
  return raw;
}

const DURATION_UNITS: Record<string, number> = { "": 1, s: 1, m: 60, min: 60, h: 3_600, d: 86_400 };
/** `90`, `90s`, `30m`, `12h`, `7d` to milliseconds, within min..max seconds. */
function durationMs(name: string, raw: string, minSeconds: number, maxSeconds: number): number {
  const m = /^(\d+)\s*(s|m|min|h|d)?$/i.exec(raw.trim());
  if (!m) throw new ConfigError(name, `must be a duration such as 3600, 30m, 12h or 7d (got '${raw}')`);
  const seconds = Number(m[1]) * DURATION_UNITS[(m[2] ?? "").toLowerCase()]!;
  if (seconds < minSeconds || seconds > maxSeconds)
    throw new ConfigError(name, `must be between ${minSeconds} s and ${maxSeconds / 86_400} days (got ${seconds} s)`);
  return seconds * 1000;
}

/** A probability in (0, 1], or off. */
function threshold(name: string, raw: string): number | null {
  if (raw.toLowerCase() === "off") return null;
  const n = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(n > 0 && n <= 1)) throw new ConfigError(name, `must be a number above 0 and at most 1, or off (got '${raw}')`);
  return n;
}

/** A share between 0 and 1, both included. */
function ratio(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(n >= 0 && n <= 1)) throw new ConfigError(name, `must be a number from 0 to 1 (got '${raw}')`);
  return n;
}

function geoipDatabase(raw: string): string | null {
  const v = raw.toLowerCase();
  if (v === "off" || v === "false") return null;
  if (v === "embedded") return "embedded";
  const path = resolve(process.cwd(), raw);
  if (!existsSync(path)) throw new ConfigError("GEOIP_DATABASE", `must be embedded, off or an existing .mmdb file (no file at '${path}')`);
  return path;
}

export function loadConfig(env: Env = process.env, flags: Flags = {}): Config {
  // Every SETTINGS entry with a default yields a string; `value` says so to the type checker.
  const value = (name: SettingName) => setting(env, name)!;
  const port = integer(flags.port !== undefined ? "--port" : "PORT", flags.port ?? value("PORT"), 1, 65535);
  const processes = integer(
    flags.processes !== undefined ? "--processes" : "PROCESSES",
    flags.processes ?? value("PROCESSES"),
    1,
    Math.min(MAX_PROCESS_INDEX + 1, Math.max(availableParallelism() * 4, 1)),
  );
  const processIndex = flags.processIndex === undefined ? 0 : integer("--process-index", flags.processIndex, 0, MAX_PROCESS_INDEX);

  const dataDirRaw = value("DATA_DIR");
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(process.cwd(), dataDirRaw);

  const base = httpUrl("PUBLIC_BASE_URL", setting(env, "PUBLIC_BASE_URL") ?? `http://localhost:${port}`);
  const publicBaseUrl = base.href.replace(/\/+$/, "");

  const dbName = text(env, "DATABASE_NODES") !== undefined ? "DATABASE_NODES" : "DB_NODES";
  const dbNodes = urlsWithScheme(dbName, list(setting(env, "DATABASE_NODES")), ["postgres:", "postgresql:"]);
  if (dbNodes.length % 2 !== 0) {
    throw new ConfigError(dbName, `needs an even count (primary,replica per shard), got ${dbNodes.length} entries`);
  }
  const shards: ShardNodes[] = [];
  for (let i = 0; i < dbNodes.length; i += 2) shards.push({ primary: dbNodes[i]!, replica: dbNodes[i + 1]! });

  const redisNodes = urlsWithScheme("REDIS_NODES", list(setting(env, "REDIS_NODES")), ["redis:", "rediss:"]);
  if (redisNodes.length > 0 && shards.length === 0) {
    throw new ConfigError("REDIS_NODES", "is set but DATABASE_NODES is not; Redis nodes align with database shards");
  }
  if (shards.length > 0 && redisNodes.length !== 0 && redisNodes.length !== shards.length) {
    throw new ConfigError("REDIS_NODES", `needs one node per shard: ${shards.length} shards but ${redisNodes.length} Redis nodes`);
  }
  const kafkaBrokers = list(setting(env, "KAFKA_BROKERS"));
  for (const b of kafkaBrokers) {
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(b)) throw new ConfigError("KAFKA_BROKERS", `'${b}' is not host:port`);
  }

  const cacheTtlSeconds = integer("CACHE_TTL_SECONDS", value("CACHE_TTL_SECONDS"), 1, 86_400);
  const negativeTtlSeconds = integer("NEGATIVE_CACHE_TTL_SECONDS", value("NEGATIVE_CACHE_TTL_SECONDS"), 1, 3_600);
  const blocklistFile = setting(env, "BLOCKLIST_FILE");
  const workerPort = setting(env, "WORKER_PORT");
  const geoip = value("GEOIP_DATABASE");
  const otlp = setting(env, "OTEL_EXPORTER_OTLP_ENDPOINT");

  return {
    mode: shards.length > 0 ? "distributed" : "embedded",
    port,
    host: value("HOST"),
    processes,
    processIndex,
    nodeId: integer("NODE_ID", value("NODE_ID"), 0, MAX_NODE_ID),
    dataDir,
    sqlitePath: join(dataDir, "ringlink.sqlite"),
    publicBaseUrl,
    publicHostname: base.hostname.toLowerCase(),
    domains: domainList(setting(env, "DOMAINS")),
    wsAllowedOrigins: list(setting(env, "WS_ALLOWED_ORIGINS")).map((o) => origin("WS_ALLOWED_ORIGINS", o)),
    corsOrigins: list(setting(env, "CORS_ORIGINS")).map((o) => (o === "*" ? o : origin("CORS_ORIGINS", o))),
    adminToken: adminToken(setting(env, "ADMIN_TOKEN")),
    sessionSecret: sessionSecret(setting(env, "SESSION_SECRET")),
    sessionTtlMs: durationMs("SESSION_TTL", value("SESSION_TTL"), 60, 30 * 86_400),
    visitorSalt: setting(env, "VISITOR_SALT"),
    maxUrlLength: integer("MAX_URL_LENGTH", value("MAX_URL_LENGTH"), 32, 65_536),
    maxBodyBytes: integer("MAX_BODY_BYTES", value("MAX_BODY_BYTES"), 1024, 10 * 1024 * 1024),
    blockPrivateTargets: boolean("BLOCK_PRIVATE_TARGETS", value("BLOCK_PRIVATE_TARGETS")),
    codeLength: integer("CODE_LENGTH", value("CODE_LENGTH"), 5, 16),
    cacheEntries: integer("CACHE_ENTRIES", value("CACHE_ENTRIES"), 0, 10_000_000),
    cacheMemoryBytes: integer("CACHE_MEMORY_MB", value("CACHE_MEMORY_MB"), 0, 1_048_576) * 1024 * 1024,
    memorySoftLimitBytes: integer("MEMORY_SOFT_LIMIT_MB", value("MEMORY_SOFT_LIMIT_MB"), 0, 1_048_576) * 1024 * 1024,
    cacheTtlMs: cacheTtlSeconds * 1000,
    negativeCacheTtlMs: negativeTtlSeconds * 1000,
    clickEvents: boolean("CLICK_EVENTS", value("CLICK_EVENTS")),
    classifyLinks: boolean("CLASSIFY_LINKS", value("CLASSIFY_LINKS")),
    rateLimitCreate: policy("RATE_LIMIT_CREATE", value("RATE_LIMIT_CREATE"), "create"),
    rateLimitRedirect: policy("RATE_LIMIT_REDIRECT", value("RATE_LIMIT_REDIRECT"), "redirect"),
    rateLimitQr: policy("RATE_LIMIT_QR", value("RATE_LIMIT_QR"), "qr"),
    rateLimitReads: policy("RATE_LIMIT_READS", value("RATE_LIMIT_READS"), "reads"),
    rateLimitCreateOnRedisDown: oneOf("RATE_LIMIT_CREATE_ON_REDIS_DOWN", value("RATE_LIMIT_CREATE_ON_REDIS_DOWN"), ["local", "open", "closed"] as const),
    trustedProxies: cidrs("TRUSTED_PROXIES", setting(env, "TRUSTED_PROXIES")),
    linkManagement: {
      anonCreate: boolean("ANON_CREATE", value("ANON_CREATE")),
      anonAliases: oneOf("ANON_ALIASES", value("ANON_ALIASES").toLowerCase(), ["auto", "true", "false"] as const),
      blocklistFile: blocklistFile === undefined ? undefined : resolve(process.cwd(), blocklistFile),
      unsafeUrlThreshold: threshold("UNSAFE_URL_THRESHOLD", value("UNSAFE_URL_THRESHOLD")),
      rateLimitPassword: policy("RATE_LIMIT_PASSWORD", value("RATE_LIMIT_PASSWORD"), "password"),
      rateLimitPasswordHash: policy("RATE_LIMIT_PASSWORD_HASH", value("RATE_LIMIT_PASSWORD_HASH"), "password-hash"),
      rateLimitAuthFailures: policy("RATE_LIMIT_AUTH_FAILURES", value("RATE_LIMIT_AUTH_FAILURES"), "auth-failures"),
    },
    accessLog: oneOf("ACCESS_LOG", value("ACCESS_LOG"), ["all", "api", "off"] as const),
    logFormat: oneOf("LOG_FORMAT", value("LOG_FORMAT"), ["json", "pretty"] as const),
    shards,
    redisNodes,
    topologyCheckIntervalMs: integer("TOPOLOGY_CHECK_INTERVAL_MS", value("TOPOLOGY_CHECK_INTERVAL_MS"), 100, 2_000),
    verifyIntervalMs: integer("VERIFY_INTERVAL_MS", value("VERIFY_INTERVAL_MS"), 0, 86_400_000),
    reshardBatch: integer("RESHARD_BATCH", value("RESHARD_BATCH"), 1, 10_000),
    kafkaBrokers,
    eventTransport: kafkaBrokers.length > 0 ? "kafka" : "in-process",
    events: {
      kafkaPartitions: integer("KAFKA_PARTITIONS", value("KAFKA_PARTITIONS"), 1, 1_000),
      kafkaReplicationFactor: integer("KAFKA_REPLICATION_FACTOR", value("KAFKA_REPLICATION_FACTOR"), 1, 16),
      topicPrefix: kafkaName("KAFKA_TOPIC_PREFIX", setting(env, "KAFKA_TOPIC_PREFIX")),
      lingerMs: integer("EVENT_LINGER_MS", value("EVENT_LINGER_MS"), 0, 1_000),
      batchSize: integer("EVENT_BATCH_SIZE", value("EVENT_BATCH_SIZE"), 1, 100_000),
      spoolMaxBytes: integer("EVENT_SPOOL_MAX_MB", value("EVENT_SPOOL_MAX_MB"), 1, 1_048_576) * 1024 * 1024,
    },
    analytics: {
      consumerGroup: kafkaName("ANALYTICS_GROUP", value("ANALYTICS_GROUP")),
      dedupeRetentionMs: integer("ANALYTICS_DEDUPE_HOURS", value("ANALYTICS_DEDUPE_HOURS"), 1, 8_760) * 3_600_000,
      workerPort: workerPort === undefined ? undefined : integer("WORKER_PORT", workerPort, 1, 65_535),
    },
    webhooks: {
      allowLoopback: boolean("WEBHOOK_ALLOW_LOOPBACK", value("WEBHOOK_ALLOW_LOOPBACK")),
      timeoutMs: integer("WEBHOOK_TIMEOUT_MS", value("WEBHOOK_TIMEOUT_MS"), 50, 120_000),
      concurrency: integer("WEBHOOK_CONCURRENCY", value("WEBHOOK_CONCURRENCY"), 1, 256),
      retryBaseMs: integer("WEBHOOK_RETRY_BASE_MS", value("WEBHOOK_RETRY_BASE_MS"), 10, 3_600_000),
      retryWindowMs: integer("WEBHOOK_RETRY_HOURS", value("WEBHOOK_RETRY_HOURS"), 1, 720) * 3_600_000,
      consumerGroup: kafkaName("WEBHOOK_GROUP", value("WEBHOOK_GROUP")),
    },
    resilience: {
      dbPoolMax: integer("DB_POOL_MAX", value("DB_POOL_MAX"), 1, 500),
      dbConnectTimeoutMs: integer("DB_CONNECT_TIMEOUT_MS", value("DB_CONNECT_TIMEOUT_MS"), 50, 60_000),
      dbQueryTimeoutMs: integer("DB_QUERY_TIMEOUT_MS", value("DB_QUERY_TIMEOUT_MS"), 10, 60_000),
      redisTimeoutMs: integer("REDIS_TIMEOUT_MS", value("REDIS_TIMEOUT_MS"), 10, 10_000),
      requestDeadlineMs: integer("REQUEST_DEADLINE_MS", value("REQUEST_DEADLINE_MS"), 50, 120_000),
      readRetries: integer("READ_RETRIES", value("READ_RETRIES"), 0, 10),
      breakerFailures: integer("BREAKER_FAILURES", value("BREAKER_FAILURES"), 1, 1_000),
      probeIntervalMs: integer("HEALTH_PROBE_INTERVAL_MS", value("HEALTH_PROBE_INTERVAL_MS"), 100, 60_000),
    },
    geoipDatabase: geoipDatabase(geoip),
    tracing: {
      endpoint: otlp === undefined ? null : httpUrl("OTEL_EXPORTER_OTLP_ENDPOINT", otlp).href.replace(/\/+$/, ""),
      serviceName: setting(env, "OTEL_SERVICE_NAME") ?? "ringlink",
      sampleRatio: ratio("OTEL_TRACES_SAMPLER_ARG", value("OTEL_TRACES_SAMPLER_ARG")),
      redirectRatio: ratio("TRACE_REDIRECTS", value("TRACE_REDIRECTS")),
    },
  };
}
