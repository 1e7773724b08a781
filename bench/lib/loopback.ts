/**
 * Load only ever goes to this machine: every URL a bench sends requests to, and every service a
 * bench points a server at, must name 127.0.0.1, ::1 or localhost literally. Anything else, a
 * private range or another 127/8 address included, is refused before a single request leaves.
 * Load tools get URLs rebuilt from the checked parts (loopbackOrigin), never the raw string, so a
 * tool that parses a URL differently from WHATWG cannot be steered elsewhere.
 */
import { readFileSync } from "node:fs";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

function refuse(what: string): never {
  throw new Error(`refusing to send load to '${what}': benches target 127.0.0.1, ::1 or localhost only`);
}

function parse(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new Error(`not a URL: '${raw}'`);
  }
}

/** An http(s) URL on a loopback host; throws otherwise. */
export function assertLoopback(raw: string): URL {
  const url = parse(raw);
  if (url.protocol !== "http:" && url.protocol !== "https:") refuse(raw);
  // WHATWG parsing has normalised the host already (127.1 and 0x7f.0.0.1 both read 127.0.0.1; userinfo is apart).
  if (!LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) refuse(url.hostname);
  return url;
}

/** `http://127.0.0.1:8080` for any loopback URL: scheme, host and port only, rebuilt from the checked parts. */
export function loopbackOrigin(raw: string): string {
  const url = assertLoopback(raw);
  return `${url.protocol}//${url.hostname.toLowerCase()}${url.port ? `:${url.port}` : ""}`;
}

/** A literal loopback base for a port this bench started. */
export function loopbackBase(port: number): string {
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`not a port: ${port}`);
  return `http://127.0.0.1:${port}`;
}

/** Every line of a URL list a load tool will read names a loopback host; returns the line count. */
export function assertLoopbackUrlFile(file: string): number {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.length > 0);
  for (const line of lines) assertLoopback(line);
  return lines.length;
}

/**
 * The services a bench hands to a server it starts (DATABASE_NODES, REDIS_NODES, KAFKA_BROKERS):
 * a bench seeds and loads them too, so they are on this machine or the bench does not start.
 */
export function assertLoopbackServices(env: Record<string, string | undefined>): void {
  for (const name of ["DATABASE_NODES", "DB_NODES", "REDIS_NODES", "KAFKA_BROKERS"]) {
    for (const item of (env[name] ?? "").split(/[\s,;|]+/).filter(Boolean)) {
      const url = parse(item.includes("://") ? item : `tcp://${item}`);
      if (!LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) refuse(`${name}: ${url.hostname}`);
    }
  }
}
