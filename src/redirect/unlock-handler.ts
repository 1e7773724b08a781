/**
 * POST /:code of a password-protected link: the password from the interstitial form (or JSON
 * `{password}`) is checked against the argon2id hash on the link's primary. Right: 303 to the
 * target (303 so the browser follows with a GET whatever the link's redirect type), spending a
 * click of a limited link. Wrong: 401 with the form again. Attempts are rate limited per client and
 * link before the hash is even computed, so guessing costs the guesser, not the server.
 */
import type { CachedLink } from "../cache";
import { isJsonContentType, readBodyText } from "../http";
import { InvalidInput, jsonError } from "../errors";
import { isWellFormedCode } from "../ids";
import { stateOf, toCachedLink } from "../links";
import type { LinkStore } from "../storage";
import { acceptsHtml, passwordPage } from "./pages";
import type { PeerAddressSource, RateLimitGuard } from "../ratelimit";
import type { Visit } from "./redirect-handler";
import { PASSWORD_PAGE_HEADERS, gone, locationFor } from "./redirect-responses";

export type UnlockHandler = (request: Request, code: string, peer: PeerAddressSource | null) => Promise<Response>;

export interface UnlockDeps {
  store: LinkStore;
  /** throws RateLimited when this client has guessed too often at this link (keyed by client and code) */
  passwordGuard?: RateLimitGuard;
  /** absent: Bun.password.verify without a gate (tests) */
  verifyPassword?: (password: string, hash: string) => Promise<boolean>;
  notFound(request: Request): Response;
  /** the link key of a code on the request's domain (the code itself on the default domain) */
  keyOf?: (request: Request, peer: PeerAddressSource | null, code: string) => string;
  /** the target for this visit: the link's own, or the one its rules or split choose */
  targetOf?: (visit: Visit, entry: CachedLink) => string;
  /** metrics and the click event of a successful unlock */
  onRedirect(visit: Visit): void;
}

const MAX_FORM_BYTES = 4096;

async function readPassword(request: Request): Promise<string> {
  const type = request.headers.get("content-type");
  const text = await readBodyText(request, MAX_FORM_BYTES);
  let value: unknown;
  if (isJsonContentType(type)) {
    try {
      value = (JSON.parse(text) as { password?: unknown } | null)?.password;
    } catch {
      throw new InvalidInput("invalid_json", "request body is not valid JSON");
    }
  } else {
    value = new URLSearchParams(text).get("password");
  }
  if (typeof value !== "string" || value === "") throw new InvalidInput("invalid_password", "send the password as the form field or JSON property 'password'");
  return value;
}

export function createUnlockHandler(deps: UnlockDeps): UnlockHandler {
  const verify = deps.verifyPassword ?? ((password: string, hash: string) => Bun.password.verify(password, hash));
  return async (request, code, peer) => {
    const started = performance.now();
    if (!isWellFormedCode(code)) return deps.notFound(request);
    const key = deps.keyOf === undefined ? code : deps.keyOf(request, peer, code);
    await deps.passwordGuard?.(request, peer, 1, key);
    const password = await readPassword(request);
    const link = await deps.store.findByCode(key);
    if (link === null) return deps.notFound(request);
    const state = stateOf(link, Date.now());
    if (state !== "active") return gone(request, state);
    if (link.passwordHash !== null && !(await verify(password, link.passwordHash))) {
      const html = acceptsHtml(request) || !isJsonContentType(request.headers.get("content-type"));
      if (!html) return jsonError(401, "wrong_password", "the password is not right");
      const q = request.url.indexOf("?");
      return new Response(passwordPage(code, q === -1 ? "" : request.url.slice(q), "That password is not right."), {
        status: 401,
        headers: PASSWORD_PAGE_HEADERS,
      });
    }
    if (link.maxClicks !== null && (await deps.store.takeClick(key)) !== "granted") return gone(request, "click_limit_reached");
    const visit: Visit = { request, code, key, peer, started };
    const entry = toCachedLink(link);
    const target = deps.targetOf === undefined ? entry.url : deps.targetOf(visit, entry);
    deps.onRedirect(visit);
    return new Response(null, { status: 303, headers: { location: locationFor(entry, request, target), "cache-control": "no-store" } });
  };
}
