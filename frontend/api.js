// The JSON API client shared by the tabs: one error type carrying the server's envelope
// `{ error: { code, message } }`, so every caller shows the server's own words. Requests carry the
// session cookie (same origin) and, when they change something, the session's CSRF token.

import { csrfToken, sessionEnded } from "./credentials.js";

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function fallbackMessage(status) {
  if (status === 404) return "Not found.";
  if (status === 413) return "The request is too large.";
  if (status === 415) return "The server did not accept the request format.";
  if (status === 429) return "Too many requests. Please slow down and try again shortly.";
  if (status >= 500) return `The server ran into a problem (HTTP ${status}). Please try again.`;
  return `The request failed (HTTP ${status}).`;
}

const SAFE = new Set(["GET", "HEAD"]);
/** Codes with which the server says the session itself is over. */
const SESSION_OVER = new Set(["session_expired", "session_ended", "session_invalid"]);

export async function api(path, { method = "GET", body, signal } = {}) {
  const init = { method, headers: { Accept: "application/json" }, signal, credentials: "same-origin" };
  const csrf = csrfToken();
  if (csrf && !SAFE.has(method)) init.headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "network_error", "Could not reach the server. Check your connection and try again.");
  }
  if (res.status === 204) return { status: 204, data: null };
  let data = null;
  const text = await res.text().catch(() => "");
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const env = data && typeof data === "object" ? data.error : null;
    const code = env && typeof env.code === "string" ? env.code : `http_${res.status}`;
    const message = env && typeof env.message === "string" && env.message.trim() ? env.message : fallbackMessage(res.status);
    if (res.status === 401 && SESSION_OVER.has(code)) sessionEnded(message);
    throw new ApiError(res.status, code, message, res.headers.get("Retry-After"));
  }
  if (!data || typeof data !== "object") {
    throw new ApiError(res.status, "invalid_response", "The server sent an unexpected response.");
  }
  return { status: res.status, data };
}
