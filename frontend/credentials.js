// Who the dashboard acts as. Signing in trades an API key or the admin token for a session cookie
// (HttpOnly: no script on the page, ours included, can read it, and the token itself is never
// kept anywhere). What the page holds in memory is only what GET /api/v1/session tells it: the
// key's name and scopes, and the CSRF token that state-changing requests must carry.

const SCOPES = ["create", "manage", "stats", "admin"];

let session = {
  signedIn: false,
  signInRequired: false,
  key: null,
  admin: false,
  scopes: [],
  csrfToken: null,
  expiresAt: null,
  defaultDomain: null,
  domains: [],
};
const listeners = new Set();

function update(next) {
  session = { ...session, ...next };
  for (const fn of listeners) {
    try {
      fn(session);
    } catch (err) {
      console.error(err);
    }
  }
}

async function sessionCall(method, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch("/api/v1/session", init);
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  return { res, data };
}

export function currentSession() {
  return session;
}

export function csrfToken() {
  return session.csrfToken;
}

/** Calls `fn` with the session whenever it changes (signed in, out, ended). */
export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * What this page may offer. Signed in: the session's scopes (admin implies all). Without a sign-in
 * on a server that needs none, the anonymous rules: creating and reading links, nothing else
 * (changing, deleting and bulk creation need a key).
 */
export function can(scope) {
  if (session.signedIn) return session.scopes.includes("admin") || session.scopes.includes(scope);
  return !session.signInRequired && (scope === "create" || scope === "stats" || scope === "list");
}

/**
 * Whether a link's domain is the default one (PUBLIC_BASE_URL's host). A link elsewhere is named
 * to the API with `?domain=`; without it the API means the default domain's link of that code.
 * Not knowing the default (the session never loaded) counts as elsewhere: the API also takes the
 * default host as `?domain=`, so the request still reaches the right link.
 */
export function isDefaultDomain(domain) {
  return !domain || domain === session.defaultDomain;
}

/** Asks the server who we are. A failure leaves the page signed out (the API calls say why). */
export async function loadSession() {
  try {
    const { res, data } = await sessionCall("GET");
    if (res.ok && data) update({ ended: null, ...data });
  } catch {
    /* offline: keep what we have */
  }
  return session;
}

/** Resolves the new session, or throws { status, message } with the server's words. */
export async function signIn(token) {
  const { res, data } = await sessionCall("POST", { token });
  if (!res.ok) {
    const message = data?.error?.message ?? `Sign-in failed (HTTP ${res.status}).`;
    throw Object.assign(new Error(message), { status: res.status, code: data?.error?.code ?? `http_${res.status}` });
  }
  update({ ...data, ended: null });
  return session;
}

export async function signOut() {
  await sessionCall("DELETE").catch(() => {});
  update({ signedIn: false, key: null, admin: false, scopes: [], csrfToken: null, expiresAt: null, ended: null, domains: [] });
}

/** The server refused the session (expired, key revoked): the page asks to sign in again. */
export function sessionEnded(message) {
  if (!session.signedIn) return;
  update({ signedIn: false, key: null, admin: false, scopes: [], csrfToken: null, expiresAt: null, ended: message, domains: [] });
}

export { SCOPES };
