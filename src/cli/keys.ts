/**
 * `ringlink keys create --name N --scopes create,manage,stats,admin [--expires DATE|30d]`,
 * `ringlink keys list [--json]`, `ringlink keys revoke ID`. Keys are written where the configuration points
 * (the SQLite file, or shard 0 of the cluster), so every instance sees them within KEY_CACHE_MS.
 */
import { UsageError } from "./argv";
import { formatTable, type Column } from "./table";
import { KeyService, SCOPES } from "../keys";
import type { ApiKeyStore } from "../keys";

export interface KeysArgs {
  rest: string[];
  flags: Record<string, string | true>;
}

/** "2030-01-01", an ISO date-time, or a duration such as 30d / 12h. */
export function parseExpiry(raw: string, now: number): number {
  const duration = /^(\d+)\s*(h|d|w)$/i.exec(raw.trim());
  if (duration) {
    const unit = { h: 3_600_000, d: 86_400_000, w: 604_800_000 }[duration[2]!.toLowerCase() as "h" | "d" | "w"];
    return now + Number(duration[1]) * unit;
  }
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) throw new UsageError(`--expires must be a date (2030-01-01), a date-time or a duration such as 30d (got '${raw}')`);
  return ms;
}

const iso = (ms: number | null): string => (ms === null ? "never" : new Date(ms).toISOString());

interface KeyRow {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  state: string;
}

const KEY_COLUMNS: ReadonlyArray<Column<KeyRow>> = [
  { header: "id", value: (k) => k.id },
  { header: "name", value: (k) => k.name, max: 40 },
  { header: "scopes", value: (k) => k.scopes.join(",") },
  { header: "created", value: (k) => k.createdAt },
  { header: "expires", value: (k) => k.expiresAt ?? "never" },
  { header: "state", value: (k) => k.state },
];

export async function runKeysCommand(store: ApiKeyStore, args: KeysArgs, out: (line: string) => void = console.log): Promise<number> {
  const keys = new KeyService({ store, cacheMs: 0 });
  const [sub, ...rest] = args.rest;
  switch (sub) {
    case "create": {
      const name = args.flags.name;
      const scopes = args.flags.scopes;
      if (typeof name !== "string") throw new UsageError("keys create needs --name NAME");
      if (typeof scopes !== "string") throw new UsageError(`keys create needs --scopes (comma list of ${SCOPES.join(", ")})`);
      const expires = typeof args.flags.expires === "string" ? parseExpiry(args.flags.expires, Date.now()) : null;
      let created: Awaited<ReturnType<typeof keys.create>>;
      try {
        created = await keys.create({ name, scopes, expiresAt: expires });
      } catch (error) {
        if (error instanceof Error && !(error as { status?: number }).status) throw new UsageError(error.message);
        throw error;
      }
      out(`created key ${created.key.id} "${created.key.name}" scopes ${created.key.scopes.join(",")} expires ${iso(created.key.expiresAt)}`);
      out(`token (shown once, store it now): ${created.token}`);
      return 0;
    }
    case "list": {
      const now = Date.now();
      const rows = (await keys.list()).map((k) => ({
        id: k.id,
        name: k.name,
        scopes: k.scopes,
        createdAt: iso(k.createdAt),
        expiresAt: k.expiresAt === null ? null : iso(k.expiresAt),
        revokedAt: k.revokedAt === null ? null : iso(k.revokedAt),
        state: k.revokedAt !== null ? "revoked" : k.expiresAt !== null && k.expiresAt <= now ? "expired" : "active",
      }));
      if (args.flags.json === true) out(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) out("no API keys (ringlink keys create --name N --scopes ...)");
      else out(formatTable(KEY_COLUMNS, rows));
      return 0;
    }
    case "revoke": {
      const id = rest[0];
      if (id === undefined) throw new UsageError("keys revoke needs the key id (see ringlink keys list)");
      if (!(await keys.revoke(id))) {
        out(`no active key ${id}`);
        return 1;
      }
      out(`revoked key ${id} (every instance refuses it within a few seconds)`);
      return 0;
    }
    default:
      throw new UsageError("usage: ringlink keys create --name N --scopes create,manage,stats,admin [--expires 30d] | keys list | keys revoke ID");
  }
}
