/**
 * /api/v1/session: sign in (POST, with an API key or the admin token), who is signed in (GET),
 * sign out (DELETE). The token is checked like a bearer token (refusals spend the client's
 * RATE_LIMIT_AUTH_FAILURES budget) and never stored: the browser gets only the signed cookie.
 */
import { Elysia, t } from "elysia";
import { AppError } from "../errors";
import { ErrorResponse, readJsonBody } from "../http";
import type { Principal, TokenAuthenticator } from "../keys";
import type { Cidr } from "../ratelimit";
import { clearCookieHeader, isHttps, sessionCookieOf, setCookieHeader } from "./session-cookie";
import type { SessionService } from "./session-service";

export interface SessionRoutesOptions {
  sessions: SessionService;
  authenticateToken: TokenAuthenticator;
  /** true once an ADMIN_TOKEN or any API key exists: then the dashboard asks to sign in */
  credentialsRequired(): Promise<boolean>;
  trustedProxies: readonly Cidr[];
  /** PUBLIC_BASE_URL's host, and the short domains a principal (null: signed out) may create links on */
  domains(principal: Principal | null): { defaultDomain: string; domains: string[] };
}

const SignInBody = t.Object({ token: t.String({ description: "an API key (rl_...) or the ADMIN_TOKEN" }) }, { additionalProperties: false });

const SessionKey = t.Object({ id: t.String(), name: t.String(), scopes: t.Array(t.String()) });

const SessionResponse = t.Object({
  signedIn: t.Boolean(),
  signInRequired: t.Boolean({ description: "whether this server needs a key (an ADMIN_TOKEN or any API key exists)" }),
  key: t.Union([SessionKey, t.Null()], { description: "the API key the session stands for; null for the admin token or no session" }),
  admin: t.Boolean({ description: "signed in with the ADMIN_TOKEN" }),
  scopes: t.Array(t.String(), { description: "what the session may do (admin implies every scope)" }),
  csrfToken: t.Union([t.String({ description: "send as X-CSRF-Token on every state-changing request" }), t.Null()]),
  expiresAt: t.Union([t.String({ format: "date-time" }), t.Null()]),
  defaultDomain: t.String({ description: "the default short domain (PUBLIC_BASE_URL's host): a link's `domain` when it names no other" }),
  domains: t.Array(t.String(), {
    description:
      "the short domains this session may create links on (`domain` of a create), the default first; empty when it may not create. " +
      "Read at sign-in and page load: a domain added or removed later shows at the next load.",
  }),
  ended: t.Optional(t.String({ description: "signed out because the session's cookie no longer holds: why (expired, key revoked)" })),
});

const SIGNED_OUT = { signedIn: false, key: null, admin: false, scopes: [], csrfToken: null, expiresAt: null };

export function sessionRoutes({ sessions, authenticateToken, credentialsRequired, trustedProxies, domains }: SessionRoutesOptions) {
  return new Elysia({ name: "sessions", prefix: "/api/v1/session" })
    .post(
      "/",
      async ({ body, request, server, set }) => {
        const token = body.token.trim();
        if (token === "") throw new AppError(400, "token_required", "enter an API key or the admin token");
        const principal = await authenticateToken(token, request, server);
        const session = sessions.open(principal);
        set.headers["set-cookie"] = setCookieHeader(session.value, Math.floor(sessions.ttlMs / 1000), isHttps(request, server, trustedProxies));
        set.headers["cache-control"] = "no-store";
        return { signedIn: true, signInRequired: await credentialsRequired(), ...sessions.view(session), ...domains(principal) };
      },
      {
        // The sign-in body is tiny: a key is 43 characters, an admin token rarely more than 100.
        parse: [({ request }) => readJsonBody(request, 4096), "json"],
        body: SignInBody,
        detail: {
          summary: "Sign in: trade an API key or the admin token for a session cookie (ringlink_session)",
          description:
            "Sets an HttpOnly, SameSite=Strict cookie (Secure over https) valid for SESSION_TTL. Requests that carry it act as the key; state-changing ones must also send X-CSRF-Token. " +
            "403 for a token that is not valid (it spends the client's RATE_LIMIT_AUTH_FAILURES budget).",
          tags: ["session"],
        },
        response: { 200: SessionResponse, 400: ErrorResponse, 403: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 429: ErrorResponse },
      },
    )
    .get(
      "/",
      async ({ request, server, set }) => {
        set.headers["cache-control"] = "no-store";
        const signInRequired = await credentialsRequired();
        // Signed out, the anonymous creator's domains; none where the server needs a key first.
        const signedOut = () => ({ ...SIGNED_OUT, signInRequired, ...domains(null), ...(signInRequired ? { domains: [] } : {}) });
        const value = sessionCookieOf(request);
        if (value === null) return signedOut();
        try {
          const session = await sessions.check(value);
          return { signedIn: true, signInRequired, ...sessions.view(session), ...domains(session.principal) };
        } catch (error) {
          if (!(error instanceof AppError) || error.status !== 401) throw error;
          // Not an error of this request: the answer is "signed out, and why". The browser keeps an
          // ended session's cookie until told otherwise.
          set.headers["set-cookie"] = clearCookieHeader(isHttps(request, server, trustedProxies));
          return { ...signedOut(), ended: error.message };
        }
      },
      {
        detail: {
          summary: "The current session: who is signed in, with which scopes, and its CSRF token",
          description:
            "signedIn false without a session cookie, and with `ended` (and the cookie cleared) when the session expired, its key was revoked or the admin token changed.",
          tags: ["session"],
        },
        response: { 200: SessionResponse },
      },
    )
    .delete(
      "/",
      ({ request, server, set }) => {
        // Signing out needs no proof: it only ever takes a credential away.
        set.status = 204;
        set.headers["set-cookie"] = clearCookieHeader(isHttps(request, server, trustedProxies));
        return null;
      },
      {
        detail: { summary: "Sign out: clears the session cookie", tags: ["session"] },
        response: { 204: t.Null({ description: "signed out" }) },
      },
    );
}
