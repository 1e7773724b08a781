/**
 * Where `ringlink links` reads and changes links: the configured store itself (embedded SQLite or
 * the cluster, through the same runtime the server composes from src/adapters.ts), or a running
 * instance over its HTTP API (`--url`, `--token`). Both answer the API's own shapes (LinkView,
 * LinkStats), so the command prints them alike.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { LinkStats, StatsRequest } from "../analytics";
import type { Config } from "../config";
import { AppError } from "../errors";
import { toLinkView, type CreateLinkInput, type LinkView, type UpdateLinkInput } from "../links";
import { createRuntime } from "../runtime";
import { UsageError } from "./argv";

export interface ListRequest {
  limit: number;
  cursor?: string;
  tag?: string;
  q?: string;
}

export interface LinkPage {
  items: LinkView[];
  nextCursor: string | null;
}

export interface LinkClient {
  list(request: ListRequest): Promise<LinkPage>;
  show(code: string): Promise<LinkView>;
  create(input: CreateLinkInput): Promise<{ link: LinkView; created: boolean }>;
  update(code: string, input: UpdateLinkInput): Promise<LinkView>;
  remove(code: string): Promise<void>;
  stats(request: StatsRequest): Promise<LinkStats>;
  close(): Promise<void>;
}

/** Ports of live `serve` instances on this embedded data dir (their lock files, DATA_DIR/serve-<port>.lock). */
export function servingPorts(dataDir: string): number[] {
  let files: string[];
  try {
    files = readdirSync(dataDir).filter((f) => /^serve-\d+\.lock$/.test(f));
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const file of files) {
    try {
      const lock = JSON.parse(readFileSync(join(dataDir, file), "utf8")) as { supervisor?: number; port?: number };
      if (typeof lock.supervisor !== "number" || typeof lock.port !== "number") continue;
      process.kill(lock.supervisor, 0); // throws when no such process
      ports.push(lock.port);
    } catch {
      // a stale or unreadable lock: nobody serves from it
    }
  }
  return ports;
}

/** The tools' worker bits (15): ids made here never clash with a serving process's. */
const TOOL_PROCESS_INDEX = 15;

/**
 * The store directly, as the operator: no key is asked for and every target is shown (like
 * `export`). Changes reach other instances through Redis when the cluster has it; an embedded
 * server started separately keeps a cached copy until CACHE_TTL_SECONDS (use --url for at once).
 */
export async function localLinkClient(config: Config): Promise<LinkClient> {
  const runtime = await createRuntime({ ...config, processIndex: TOOL_PROCESS_INDEX }, { role: "tool" });
  const view = (link: Parameters<typeof toLinkView>[0]) => toLinkView(link, config.publicBaseUrl, { showTarget: true });
  // An embedded server beside this command does not hear of the change (no Redis): say so once.
  const changed = () => {
    if (config.mode !== "embedded") return;
    for (const port of servingPorts(config.dataDir)) {
      console.error(
        `ringlink: note: the server on port ${port} may serve its cached copy for up to ${Math.round(config.cacheTtlMs / 1000)} s; ringlink links ... --url http://localhost:${port} changes it at once`,
      );
    }
  };
  return {
    async list({ limit, cursor, tag, q }) {
      if (cursor !== undefined && !/^\d{1,20}$/.test(cursor)) throw new UsageError(`--cursor must be the nextCursor of an earlier page (got '${cursor}')`);
      const page = await runtime.links.list({ limit, cursor: cursor === undefined ? undefined : BigInt(cursor), tag, q, searchProtectedUrls: true });
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
    show: async (code) => view(await runtime.links.get(code)),
    async create(input) {
      const { link, created } = await runtime.links.create(input, { owner: null });
      return { link: view(link), created };
    },
    async update(code, input) {
      const link = view(await runtime.links.update(code, input, { mayClearUnsafe: true }));
      changed();
      return link;
    },
    async remove(code) {
      await runtime.links.remove(code);
      changed();
    },
    stats: (request) => runtime.stats.stats(request),
    close: () => runtime.close(),
  };
}

/** An answer of the API other than 2xx, with its `{error:{code,message}}`. */
export class RemoteError extends AppError {}

const REQUEST_TIMEOUT_MS = 30_000;

/** A running instance over HTTP: what the token's key may do, exactly as the API decides. */
export function remoteLinkClient(baseUrl: string, token: string | undefined): LinkClient {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new UsageError(`--url must be the instance's address, such as http://localhost:8080 (got '${baseUrl}')`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new UsageError(`--url must be http(s) (got '${baseUrl}')`);
  const root = base.href.replace(/\/+$/, "");
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new RemoteError(0, "unreachable", `cannot reach ${root}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: a proxy's error page, say; reported by status below
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
      throw new RemoteError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? `${method} ${path} answered ${res.status} ${res.statusText}`);
    }
    return { status: res.status, json: json as T };
  };
  const linkPath = (code: string) => `/api/v1/links/${encodeURIComponent(code)}`;
  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
    const s = search.toString();
    return s === "" ? "" : `?${s}`;
  };
  return {
    list: async ({ limit, cursor, tag, q }) => (await call<LinkPage>("GET", `/api/v1/links${query({ limit, cursor, tag, q })}`)).json,
    show: async (code) => (await call<LinkView>("GET", linkPath(code))).json,
    async create(input) {
      const { status, json } = await call<LinkView>("POST", "/api/v1/links", input);
      return { link: json, created: status === 201 };
    },
    update: async (code, input) => (await call<LinkView>("PATCH", linkPath(code), input)).json,
    async remove(code) {
      await call("DELETE", linkPath(code));
    },
    stats: async ({ code, ...range }) => (await call<LinkStats>("GET", `${linkPath(code)}/stats${query({ ...range })}`)).json,
    close: async () => {},
  };
}
