/**
 * `ringlink links list|show|create|update|delete|stats`: the links of the configured store (the
 * embedded file or the cluster), or of a running instance with `--url URL [--token TOKEN]`. Tables
 * for people, `--json` for scripts (the API's own JSON: one document per command, `list --all`
 * prints one array).
 */
import type { LinkStats } from "../analytics";
import type { Config } from "../config";
import { AppError } from "../errors";
import type { CreateLinkInput, LinkView, UpdateLinkInput } from "../links";
import { UsageError } from "./argv";
import { formatFields, formatTable, type Column } from "./table";
import { localLinkClient, remoteLinkClient, type LinkClient } from "./link-clients";

export interface LinksArgs {
  rest: string[];
  flags: Record<string, string | true>;
}

/** The API's own page limit. */
const MAX_PAGE = 100;

const LIST_COLUMNS: ReadonlyArray<Column<LinkView>> = [
  { header: "code", value: (l) => l.code },
  { header: "clicks", value: (l) => l.clicks },
  { header: "status", value: (l) => l.status },
  { header: "created", value: (l) => l.createdAt.slice(0, 19).replace("T", " ") },
  { header: "expires", value: (l) => (l.expiresAt === null ? null : l.expiresAt.slice(0, 19).replace("T", " ")) },
  { header: "tags", value: (l) => (l.tags.length === 0 ? null : l.tags.join(",")) },
  { header: "url", value: (l) => l.url ?? "(hidden)", max: 70 },
];

function linkFields(l: LinkView): Array<[string, string | number | boolean | null]> {
  return [
    ["code", l.code],
    ["short url", l.shortUrl],
    ["url", l.url ?? "(hidden: password-protected)"],
    ["status", l.status],
    ["clicks", l.clicks],
    ["max clicks", l.maxClicks],
    ["redirect", l.redirectType],
    ["created", l.createdAt],
    ["updated", l.updatedAt],
    ["expires", l.expiresAt ?? "never"],
    ["tags", l.tags.length === 0 ? null : l.tags.join(",")],
    ["password", l.passwordProtected ? "yes" : "no"],
    ["forward query", l.forwardQuery ? "yes" : "no"],
    ["disabled", l.disabled],
    ["category", l.category === null ? null : `${l.category}${l.categoryConfidence === null ? "" : ` (${l.categoryConfidence.toFixed(2)})`}`],
    ["owner key", l.ownerKey],
  ];
}

function statsText(s: LinkStats): string {
  const parts = [
    formatFields([
      ["code", s.code],
      ["from", s.from],
      ["to", s.to],
      ["interval", s.interval],
      ["clicks", s.totals.clicks],
      ["human", s.totals.human],
      ["bot", s.totals.bot],
      ["unique", s.totals.unique],
    ]),
  ];
  const busy = s.series.filter((p) => p.human + p.bot > 0);
  if (busy.length > 0) {
    parts.push(
      formatTable<(typeof busy)[number]>(
        [
          { header: s.interval, value: (p) => p.t },
          { header: "human", value: (p) => p.human },
          { header: "bot", value: (p) => p.bot },
        ],
        busy,
      ),
    );
  }
  for (const [name, entries] of Object.entries(s.top)) {
    if (entries.length === 0) continue;
    parts.push(
      formatTable<(typeof entries)[number]>(
        [
          { header: name, value: (e) => e.value, max: 60 },
          { header: "clicks", value: (e) => e.clicks },
        ],
        entries,
      ),
    );
  }
  return parts.join("\n\n");
}

const str = (flags: LinksArgs["flags"], name: string): string | undefined => {
  const v = flags[name];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
};

function int(flags: LinksArgs["flags"], name: string, min: number, max: number): number | undefined {
  const raw = str(flags, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,12}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
  return Number(raw);
}

/** "none"/"never" clears a value on update: the API's null. */
const CLEAR = new Set(["none", "never", "null"]);

function tagsOf(raw: string | undefined): string[] | undefined {
  return raw
    ?.split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

function createInput(url: string, flags: LinksArgs["flags"]): CreateLinkInput {
  const input: CreateLinkInput = { url };
  const alias = str(flags, "alias");
  if (alias !== undefined) input.alias = alias;
  const expires = str(flags, "expires");
  if (expires !== undefined) input.expiresAt = expires;
  const maxClicks = int(flags, "max-clicks", 1, 1_000_000_000);
  if (maxClicks !== undefined) input.maxClicks = maxClicks;
  const redirect = int(flags, "redirect-type", 300, 399);
  if (redirect !== undefined) input.redirectType = redirect;
  const tags = tagsOf(str(flags, "tags"));
  if (tags !== undefined) input.tags = tags;
  const password = str(flags, "password");
  if (password !== undefined) input.password = password;
  if (flags["forward-query"] === true) input.forwardQuery = true;
  if (flags["new-code"] === true) input.reuse = false;
  return input;
}

function updateInput(flags: LinksArgs["flags"]): UpdateLinkInput {
  const input: UpdateLinkInput = {};
  const target = str(flags, "target");
  if (target !== undefined) input.url = target;
  const expires = str(flags, "expires");
  if (expires !== undefined) input.expiresAt = CLEAR.has(expires) ? null : expires;
  const maxClicks = str(flags, "max-clicks");
  if (maxClicks !== undefined) input.maxClicks = CLEAR.has(maxClicks) ? null : int(flags, "max-clicks", 1, 1_000_000_000);
  const redirect = int(flags, "redirect-type", 300, 399);
  if (redirect !== undefined) input.redirectType = redirect;
  const tags = str(flags, "tags");
  if (tags !== undefined) input.tags = CLEAR.has(tags) ? [] : tagsOf(tags);
  const password = str(flags, "password");
  if (password !== undefined) input.password = CLEAR.has(password) ? null : password;
  if (flags["forward-query"] === true && flags["no-forward-query"] === true)
    throw new UsageError("--forward-query and --no-forward-query contradict each other");
  if (flags["forward-query"] === true) input.forwardQuery = true;
  if (flags["no-forward-query"] === true) input.forwardQuery = false;
  if (flags.disable === true && flags.enable === true) throw new UsageError("--disable and --enable contradict each other");
  if (flags.disable === true) input.disabled = true;
  if (flags.enable === true) input.disabled = false;
  if (Object.keys(input).length === 0) throw new UsageError("links update needs at least one change (see ringlink links update --help)");
  return input;
}

function codeArg(rest: string[], sub: string): string {
  const code = rest[0];
  if (code === undefined) throw new UsageError(`links ${sub} needs a link code: ringlink links ${sub} CODE`);
  return code;
}

/**
 * The command's client: `--url` means a running instance, otherwise the configured store. The
 * token comes from --token or, kept out of the process list and shell history, RINGLINK_TOKEN.
 */
export async function openLinkClient(config: Config, flags: LinksArgs["flags"], envToken?: string): Promise<LinkClient> {
  const url = str(flags, "url");
  const token = str(flags, "token") ?? (url === undefined || envToken === "" ? undefined : envToken);
  if (url === undefined) {
    if (token !== undefined) throw new UsageError("--token goes with --url (the configured store needs no token)");
    return localLinkClient(config);
  }
  return remoteLinkClient(url, token);
}

export async function runLinksCommand(client: LinkClient, args: LinksArgs, out: (text: string) => void = (text) => console.log(text)): Promise<number> {
  const [sub, ...rest] = args.rest;
  const json = args.flags.json === true;
  const print = (value: unknown, text: () => string) => out(json ? JSON.stringify(value, null, 2) : text());
  try {
    switch (sub) {
      case "list": {
        const limit = int(args.flags, "limit", 1, args.flags.all === true ? Number.MAX_SAFE_INTEGER : MAX_PAGE) ?? 20;
        const request = { tag: str(args.flags, "tag"), q: str(args.flags, "q"), cursor: str(args.flags, "cursor") };
        if (args.flags.all !== true) {
          const page = await client.list({ ...request, limit });
          print(page, () => {
            const table = page.items.length === 0 ? "no links" : formatTable(LIST_COLUMNS, page.items);
            return page.nextCursor === null ? table : `${table}\n(more: --cursor ${page.nextCursor}, or --all)`;
          });
          return 0;
        }
        // --all follows the cursors; --limit then caps the total.
        const items: LinkView[] = [];
        let cursor = request.cursor;
        while (items.length < limit) {
          const page = await client.list({ ...request, cursor, limit: Math.min(MAX_PAGE, limit - items.length) });
          items.push(...page.items);
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        print(items, () => (items.length === 0 ? "no links" : formatTable(LIST_COLUMNS, items)));
        return 0;
      }
      case "show": {
        const link = await client.show(codeArg(rest, "show"));
        print(link, () => formatFields(linkFields(link)));
        return 0;
      }
      case "create": {
        const url = rest[0];
        if (url === undefined) throw new UsageError("links create needs the URL to shorten: ringlink links create https://example.com/page");
        const { link, created } = await client.create(createInput(url, args.flags));
        print(link, () => `${created ? "created" : "already shortened (--new-code for another code)"}: ${link.shortUrl}\n${formatFields(linkFields(link))}`);
        return 0;
      }
      case "update": {
        const code = codeArg(rest, "update");
        const link = await client.update(code, updateInput(args.flags));
        print(link, () => `updated ${link.code}\n${formatFields(linkFields(link))}`);
        return 0;
      }
      case "delete": {
        const code = codeArg(rest, "delete");
        await client.remove(code);
        print({ code, deleted: true }, () => `deleted ${code} (it answers 410 from now on)`);
        return 0;
      }
      case "stats": {
        const code = codeArg(rest, "stats");
        const interval = str(args.flags, "interval");
        if (interval !== undefined && !["minute", "hour", "day"].includes(interval)) {
          throw new UsageError(`--interval must be minute, hour or day (got '${interval}')`);
        }
        const stats = await client.stats({
          code,
          from: str(args.flags, "from"),
          to: str(args.flags, "to"),
          interval: interval as "minute" | "hour" | "day" | undefined,
          top: int(args.flags, "top", 1, 100),
        });
        print(stats, () => statsText(stats));
        return 0;
      }
      default:
        throw new UsageError(
          `${sub === undefined ? "links needs a subcommand" : `unknown links subcommand '${sub}'`}: list | show | create | update | delete | stats (see ringlink links --help)`,
        );
    }
  } catch (error) {
    // The API's refusals (and the service's, locally) are answers, not crashes: code and sentence.
    if (!(error instanceof AppError)) throw error;
    if (json) out(JSON.stringify({ error: { code: error.code, message: error.message, status: error.status } }, null, 2));
    else console.error(`ringlink: ${error.code}: ${error.message}${error.status > 0 ? ` (HTTP ${error.status})` : ""}`);
    return 1;
  }
}
