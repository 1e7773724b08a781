/**
 * The one place where environment variables and flags are read. Everything else receives a `Config`.
 * A bad value stops start-up with one line naming the variable and what is wrong with it.
 */
import { availableParallelism } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
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
  /** pages besides our own that may open /ws in a visitor's browser (normalised origins) */
  wsAllowedOrigins: string[];
  adminToken: string | undefined;
  visitorSalt: string | undefined;
  maxUrlLength: number;
  maxBodyBytes: number;
  blockPrivateTargets: boolean;
  codeLength: number;
  cacheEntries: number;
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
  kafkaBrokers: string[];
  /** where events go: the broker when KAFKA_BROKERS is set, otherwise this process */
  eventTransport: "in-process" | "kafka";
  events: EventsConfig;
  analytics: AnalyticsConfig;
  resilience: ResilienceConfig;
}

export type Env = Record<string, string | undefined>;

export interface Flags {
  port?: string;
  processes?: string;
  processIndex?: string;
}

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === "" ? undefined : v;
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number ${min}..${max} (got '${raw}')`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}

function boolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(name, `must be true or false (got '${raw}')`);
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(name, `must be one of ${allowed.join(", ")} (got '${raw}')`);
}

function policy(name: string, raw: string | undefined, fallback: string, label: string): RatePolicy | null {
  try {
    return parsePolicy(label, raw ?? fallback);
  } catch (error) {
    throw new ConfigError(name, (error as Error).message);
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
function kafkaName(name: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined) return fallback;
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

/** A probability in (0, 1], or off. */
function threshold(name: string, raw: string | undefined, fallback: number): number | null {
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === "off") return null;
  const n = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(n > 0 && n <= 1)) throw new ConfigError(name, `must be a number above 0 and at most 1, or off (got '${raw}')`);
  return n;
}

export function loadConfig(env: Env = process.env, flags: Flags = {}): Config {
  const port = integer(flags.port !== undefined ? "--port" : "PORT", flags.port ?? text(env, "PORT"), 8080, 1, 65535);
  const processes = integer(
    flags.processes !== undefined ? "--processes" : "PROCESSES",
    flags.processes ?? text(env, "PROCESSES"),
    1,
    1,
    Math.min(MAX_PROCESS_INDEX + 1, Math.max(availableParallelism() * 4, 1)),
  );
  const processIndex = integer("--process-index", flags.processIndex, 0, 0, MAX_PROCESS_INDEX);

  const dataDirRaw = text(env, "DATA_DIR") ?? "./data";
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(process.cwd(), dataDirRaw);

  const base = httpUrl("PUBLIC_BASE_URL", text(env, "PUBLIC_BASE_URL") ?? `http://localhost:${port}`);
  const publicBaseUrl = base.href.replace(/\/+$/, "");

  const dbName = text(env, "DATABASE_NODES") !== undefined ? "DATABASE_NODES" : "DB_NODES";
  const dbNodes = urlsWithScheme(dbName, list(text(env, "DATABASE_NODES") ?? text(env, "DB_NODES")), ["postgres:", "postgresql:"]);
  if (dbNodes.length % 2 !== 0) {
    throw new ConfigError(dbName, `needs an even count (primary,replica per shard), got ${dbNodes.length} entries`);
  }
  const shards: ShardNodes[] = [];
  for (let i = 0; i < dbNodes.length; i += 2) shards.push({ primary: dbNodes[i]!, replica: dbNodes[i + 1]! });

  const redisNodes = urlsWithScheme("REDIS_NODES", list(text(env, "REDIS_NODES")), ["redis:", "rediss:"]);
  if (redisNodes.length > 0 && shards.length === 0) {
    throw new ConfigError("REDIS_NODES", "is set but DATABASE_NODES is not; Redis nodes align with database shards");
  }
  if (shards.length > 0 && redisNodes.length !== 0 && redisNodes.length !== shards.length) {
    throw new ConfigError("REDIS_NODES", `needs one node per shard: ${shards.length} shards but ${redisNodes.length} Redis nodes`);
  }
  const kafkaBrokers = list(text(env, "KAFKA_BROKERS"));
  for (const b of kafkaBrokers) {
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(b)) throw new ConfigError("KAFKA_BROKERS", `'${b}' is not host:port`);
  }

  const cacheTtlSeconds = integer("CACHE_TTL_SECONDS", text(env, "CACHE_TTL_SECONDS"), 300, 1, 86_400);
  const negativeTtlSeconds = integer("NEGATIVE_CACHE_TTL_SECONDS", text(env, "NEGATIVE_CACHE_TTL_SECONDS"), 10, 1, 3_600);

  return {
    mode: shards.length > 0 ? "distributed" : "embedded",
    port,
    host: text(env, "HOST") ?? "0.0.0.0",
    processes,
    processIndex,
    nodeId: integer("NODE_ID", text(env, "NODE_ID"), 0, 0, MAX_NODE_ID),
    dataDir,
    sqlitePath: join(dataDir, "ringlink.sqlite"),
    publicBaseUrl,
    publicHostname: base.hostname.toLowerCase(),
    wsAllowedOrigins: list(text(env, "WS_ALLOWED_ORIGINS")).map((o) => origin("WS_ALLOWED_ORIGINS", o)),
    adminToken: adminToken(text(env, "ADMIN_TOKEN")),
    visitorSalt: text(env, "VISITOR_SALT"),
    maxUrlLength: integer("MAX_URL_LENGTH", text(env, "MAX_URL_LENGTH"), 2048, 32, 65_536),
    maxBodyBytes: integer("MAX_BODY_BYTES", text(env, "MAX_BODY_BYTES"), 16 * 1024, 1024, 10 * 1024 * 1024),
    blockPrivateTargets: boolean("BLOCK_PRIVATE_TARGETS", text(env, "BLOCK_PRIVATE_TARGETS"), true),
    codeLength: integer("CODE_LENGTH", text(env, "CODE_LENGTH"), 7, 5, 16),
    cacheEntries: integer("CACHE_ENTRIES", text(env, "CACHE_ENTRIES"), 100_000, 0, 10_000_000),
    memorySoftLimitBytes: integer("MEMORY_SOFT_LIMIT_MB", text(env, "MEMORY_SOFT_LIMIT_MB"), 120, 0, 1_048_576) * 1024 * 1024,
    cacheTtlMs: cacheTtlSeconds * 1000,
    negativeCacheTtlMs: negativeTtlSeconds * 1000,
    clickEvents: boolean("CLICK_EVENTS", text(env, "CLICK_EVENTS"), true),
    classifyLinks: boolean("CLASSIFY_LINKS", text(env, "CLASSIFY_LINKS"), true),
    rateLimitCreate: policy("RATE_LIMIT_CREATE", text(env, "RATE_LIMIT_CREATE"), "600/min", "create"),
    rateLimitRedirect: policy("RATE_LIMIT_REDIRECT", text(env, "RATE_LIMIT_REDIRECT"), "off", "redirect"),
    rateLimitQr: policy("RATE_LIMIT_QR", text(env, "RATE_LIMIT_QR"), "60/min", "qr"),
    rateLimitReads: policy("RATE_LIMIT_READS", text(env, "RATE_LIMIT_READS"), "300/min", "reads"),
    rateLimitCreateOnRedisDown: oneOf(
      "RATE_LIMIT_CREATE_ON_REDIS_DOWN",
      text(env, "RATE_LIMIT_CREATE_ON_REDIS_DOWN"),
      ["local", "open", "closed"] as const,
      "local",
    ),
    trustedProxies: cidrs("TRUSTED_PROXIES", text(env, "TRUSTED_PROXIES")),
    linkManagement: {
      anonCreate: boolean("ANON_CREATE", text(env, "ANON_CREATE"), true),
      anonAliases: oneOf("ANON_ALIASES", text(env, "ANON_ALIASES")?.toLowerCase(), ["auto", "true", "false"] as const, "auto"),
      blocklistFile: text(env, "BLOCKLIST_FILE") === undefined ? undefined : resolve(process.cwd(), text(env, "BLOCKLIST_FILE")!),
      unsafeUrlThreshold: threshold("UNSAFE_URL_THRESHOLD", text(env, "UNSAFE_URL_THRESHOLD"), 0.9),
      rateLimitPassword: policy("RATE_LIMIT_PASSWORD", text(env, "RATE_LIMIT_PASSWORD"), "10/min", "password"),
      rateLimitPasswordHash: policy("RATE_LIMIT_PASSWORD_HASH", text(env, "RATE_LIMIT_PASSWORD_HASH"), "30/min", "password-hash"),
      rateLimitAuthFailures: policy("RATE_LIMIT_AUTH_FAILURES", text(env, "RATE_LIMIT_AUTH_FAILURES"), "10/min", "auth-failures"),
    },
    accessLog: oneOf("ACCESS_LOG", text(env, "ACCESS_LOG"), ["all", "api", "off"] as const, "api"),
    logFormat: oneOf("LOG_FORMAT", text(env, "LOG_FORMAT"), ["json", "pretty"] as const, "json"),
    shards,
    redisNodes,
    kafkaBrokers,
    eventTransport: kafkaBrokers.length > 0 ? "kafka" : "in-process",
    events: {
      kafkaPartitions: integer("KAFKA_PARTITIONS", text(env, "KAFKA_PARTITIONS"), 3, 1, 1_000),
      kafkaReplicationFactor: integer("KAFKA_REPLICATION_FACTOR", text(env, "KAFKA_REPLICATION_FACTOR"), 1, 1, 16),
      topicPrefix: kafkaName("KAFKA_TOPIC_PREFIX", text(env, "KAFKA_TOPIC_PREFIX"), ""),
      lingerMs: integer("EVENT_LINGER_MS", text(env, "EVENT_LINGER_MS"), 20, 0, 1_000),
      batchSize: integer("EVENT_BATCH_SIZE", text(env, "EVENT_BATCH_SIZE"), 2_000, 1, 100_000),
      spoolMaxBytes: integer("EVENT_SPOOL_MAX_MB", text(env, "EVENT_SPOOL_MAX_MB"), 256, 1, 1_048_576) * 1024 * 1024,
    },
    analytics: {
      consumerGroup: kafkaName("ANALYTICS_GROUP", text(env, "ANALYTICS_GROUP"), "ringlink-analytics"),
      dedupeRetentionMs: integer("ANALYTICS_DEDUPE_HOURS", text(env, "ANALYTICS_DEDUPE_HOURS"), 72, 1, 8_760) * 3_600_000,
      workerPort: text(env, "WORKER_PORT") === undefined ? undefined : integer("WORKER_PORT", text(env, "WORKER_PORT"), 0, 1, 65_535),
    },
    resilience: {
      dbPoolMax: integer("DB_POOL_MAX", text(env, "DB_POOL_MAX"), 10, 1, 500),
      dbConnectTimeoutMs: integer("DB_CONNECT_TIMEOUT_MS", text(env, "DB_CONNECT_TIMEOUT_MS"), 1_000, 50, 60_000),
      dbQueryTimeoutMs: integer("DB_QUERY_TIMEOUT_MS", text(env, "DB_QUERY_TIMEOUT_MS"), 2_000, 10, 60_000),
      redisTimeoutMs: integer("REDIS_TIMEOUT_MS", text(env, "REDIS_TIMEOUT_MS"), 250, 10, 10_000),
      requestDeadlineMs: integer("REQUEST_DEADLINE_MS", text(env, "REQUEST_DEADLINE_MS"), 3_000, 50, 120_000),
      readRetries: integer("READ_RETRIES", text(env, "READ_RETRIES"), 2, 0, 10),
      breakerFailures: integer("BREAKER_FAILURES", text(env, "BREAKER_FAILURES"), 3, 1, 1_000),
      probeIntervalMs: integer("HEALTH_PROBE_INTERVAL_MS", text(env, "HEALTH_PROBE_INTERVAL_MS"), 1_000, 100, 60_000),
    },
  };
}

/** The variables `loadConfig` reads, for --help, the README table and the deployment-files check. */
export const CONFIG_VARIABLES: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  { name: "PORT", default: "8080", meaning: "HTTP port (flag --port wins)" },
  { name: "HOST", default: "0.0.0.0", meaning: "address to bind" },
  { name: "PROCESSES", default: "1", meaning: "server processes sharing the port with reusePort (flag --processes wins)" },
  { name: "NODE_ID", default: "0", meaning: "unique per instance, 0..63; feeds the id generator" },
  { name: "DATA_DIR", default: "./data", meaning: "embedded mode: SQLite database and spool files" },
  { name: "PUBLIC_BASE_URL", default: "http://localhost:$PORT", meaning: "base of the short URLs handed out; links to this host are refused" },
  { name: "WS_ALLOWED_ORIGINS", default: "(none)", meaning: "comma list of other origins (https://ops.example) whose pages may open /ws; our own always may" },
  {
    name: "ADMIN_TOKEN",
    default: "(unset)",
    meaning: "super-key: a bearer token with every API-key scope (create, manage, stats, admin); at least 32 printable characters, no spaces",
  },
  { name: "VISITOR_SALT", default: "(generated in DATA_DIR)", meaning: "secret for unique-visitor hashes; set the same value on every instance" },
  { name: "MAX_URL_LENGTH", default: "2048", meaning: "longest target URL accepted" },
  { name: "MAX_BODY_BYTES", default: "16384", meaning: "largest JSON body accepted (413 above)" },
  { name: "BLOCK_PRIVATE_TARGETS", default: "true", meaning: "refuse localhost, loopback, private, link-local and unspecified targets" },
  { name: "CODE_LENGTH", default: "7", meaning: "length of generated base62 codes" },
  { name: "CACHE_ENTRIES", default: "100000", meaning: "in-process LRU capacity (0 disables it)" },
  {
    name: "MEMORY_SOFT_LIMIT_MB",
    default: "120",
    meaning: "per serving process: resident memory above which a full garbage collection runs (at most one per 5 s; 0 = off)",
  },
  { name: "CACHE_TTL_SECONDS", default: "300", meaning: "lifetime of a cached link" },
  { name: "NEGATIVE_CACHE_TTL_SECONDS", default: "10", meaning: "lifetime of a cached 'no such code'" },
  { name: "ACCESS_LOG", default: "api", meaning: "one JSON log line per request: all, api (not redirects) or off" },
  { name: "LOG_FORMAT", default: "json", meaning: "log lines as JSON (one object per line) or pretty (text for a terminal)" },
  { name: "CLICK_EVENTS", default: "true", meaning: "publish a link.clicked event per redirect (false: no click analytics)" },
  {
    name: "CLASSIFY_LINKS",
    default: "true",
    meaning: "embedded mode: classify new links in-process with the ONNX model (with Kafka the classifier worker does)",
  },
  { name: "RATE_LIMIT_CREATE", default: "600/min", meaning: "token bucket per client for creates (N/s, N/min, N/h or off)" },
  { name: "RATE_LIMIT_REDIRECT", default: "off", meaning: "token bucket per client for redirects" },
  { name: "RATE_LIMIT_QR", default: "60/min", meaning: "QR codes per client (GET /api/v1/links/:code/qr)" },
  { name: "RATE_LIMIT_READS", default: "300/min", meaning: "listing pages (GET /api/v1/links) and stats reads per client" },
  { name: "RATE_LIMIT_CREATE_ON_REDIS_DOWN", default: "local", meaning: "creates while Redis is unreachable: local (per-instance buckets), open or closed" },
  { name: "TRUSTED_PROXIES", default: "(none)", meaning: "comma list of proxy IPs/CIDRs whose X-Forwarded-For is believed" },
  { name: "ANON_CREATE", default: "true", meaning: "allow creating links without an API key" },
  { name: "ANON_ALIASES", default: "auto", meaning: "custom aliases without an API key: auto (until the first key exists), true or false" },
  { name: "BLOCKLIST_FILE", default: "(unset)", meaning: "file of blocked domains (one per line, subdomains included); reloaded when it changes" },
  {
    name: "UNSAFE_URL_THRESHOLD",
    default: "0.9",
    meaning: "classifier confidence at which a suspicious URL is refused (422 unsafe_url) or disabled; off disables",
  },
  { name: "RATE_LIMIT_PASSWORD", default: "10/min", meaning: "password attempts per client and link" },
  { name: "RATE_LIMIT_PASSWORD_HASH", default: "30/min", meaning: "new link passwords per client (create, bulk, PATCH; each costs an argon2id hash)" },
  {
    name: "RATE_LIMIT_AUTH_FAILURES",
    default: "10/min",
    meaning:
      "refused credentials (bad, unknown, revoked or expired key; wrong admin token) per client; past it every authenticated request answers 429 until the bucket refills",
  },
  { name: "DATABASE_NODES", default: "(unset)", meaning: "distributed mode: primary,replica PostgreSQL URLs per shard (alias DB_NODES)" },
  { name: "REDIS_NODES", default: "(unset)", meaning: "distributed mode: one Redis URL per shard" },
  {
    name: "KAFKA_BROKERS",
    default: "(unset)",
    meaning: "host:port list of the event broker; set = events go to Kafka and `ringlink worker analytics` aggregates them",
  },
  { name: "KAFKA_PARTITIONS", default: "3", meaning: "partitions of the event topics when `ringlink migrate` (or the first producer) creates them" },
  { name: "KAFKA_REPLICATION_FACTOR", default: "1", meaning: "replicas of the event topics when they are created" },
  { name: "KAFKA_TOPIC_PREFIX", default: "(none)", meaning: "prefix of the topic names link.created and link.clicked" },
  { name: "EVENT_LINGER_MS", default: "20", meaning: "Kafka producer: longest wait for more events before a batch is sent" },
  { name: "EVENT_BATCH_SIZE", default: "2000", meaning: "Kafka producer: queued events that trigger a send at once" },
  { name: "EVENT_SPOOL_MAX_MB", default: "256", meaning: "bound of the on-disk spool (DATA_DIR/spool) used while the broker is unreachable" },
  { name: "ANALYTICS_GROUP", default: "ringlink-analytics", meaning: "consumer group of `ringlink worker analytics` (its offsets are stored per group)" },
  { name: "ANALYTICS_DEDUPE_HOURS", default: "72", meaning: "how long processed event ids are kept to drop duplicates" },
  { name: "WORKER_PORT", default: "(unset)", meaning: "`ringlink worker analytics` serves /healthz and /metrics on HOST at this port" },
  { name: "DB_POOL_MAX", default: "10", meaning: "distributed mode: PostgreSQL connections per node and process" },
  { name: "DB_CONNECT_TIMEOUT_MS", default: "1000", meaning: "distributed mode: time to open a PostgreSQL connection" },
  { name: "DB_QUERY_TIMEOUT_MS", default: "2000", meaning: "distributed mode: time one PostgreSQL call may take" },
  { name: "REDIS_TIMEOUT_MS", default: "250", meaning: "distributed mode: time one Redis command (or connect) may take" },
  { name: "REQUEST_DEADLINE_MS", default: "3000", meaning: "distributed mode: budget of one storage operation, retries and fallbacks included" },
  { name: "READ_RETRIES", default: "2", meaning: "distributed mode: extra attempts for idempotent reads (writes are never retried)" },
  { name: "BREAKER_FAILURES", default: "3", meaning: "distributed mode: consecutive failures that open a node's circuit breaker" },
  { name: "HEALTH_PROBE_INTERVAL_MS", default: "1000", meaning: "distributed mode: how often each node is probed (closes open breakers)" },
];
