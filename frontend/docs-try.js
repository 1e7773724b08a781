// "Try it" for the API docs page: a token field for the whole page and, per operation, inputs for
// its parameters and JSON body, a Send button and the answer. Same origin only (the page's CSP
// allows connect-src 'self'). The token lives in this page's memory: never stored, gone on reload.
// Every value from the server is shown with textContent.

let token = "";

function node(tag, props = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") n.className = v;
    else if (k === "text") n.textContent = String(v);
    else n.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) n.append(c);
  return n;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The CSRF token of this browser's dashboard session, if it has one (the cookie itself is unreadable here). */
async function sessionCsrfToken() {
  try {
    const res = await fetch("/api/v1/session", { credentials: "same-origin", headers: { accept: "application/json" } });
    if (!res.ok) return null;
    const session = await res.json();
    return session.signedIn ? session.csrfToken : null;
  } catch {
    return null;
  }
}

/** The page-wide credentials: an API key (rl_...) or ADMIN_TOKEN, sent as Authorization: Bearer. */
export function authPanel() {
  const input = node("input", {
    id: "docs-token",
    type: "password",
    placeholder: "API key (rl_…) or ADMIN_TOKEN",
    autocomplete: "off",
    spellcheck: "false",
  });
  const state = node("span", { id: "docs-token-state", class: "docs-auth__state", "aria-live": "polite", text: "No token: requests go without credentials." });
  const use = node("button", { class: "btn btn--secondary btn--small", type: "submit", text: "Use token" });
  const forget = node("button", { class: "btn btn--secondary btn--small", type: "button", text: "Forget" });
  const form = node(
    "form",
    { class: "docs-auth", "aria-label": "Credentials for Try it" },
    node("label", { for: "docs-token", class: "docs-auth__label", text: "Authorization" }),
    input,
    use,
    forget,
    state,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    token = input.value.trim();
    input.value = "";
    state.textContent = token ? "Token set: Try it sends Authorization: Bearer … (kept in this page only)." : "No token: requests go without credentials.";
  });
  forget.addEventListener("click", () => {
    token = "";
    input.value = "";
    state.textContent = "No token: requests go without credentials.";
  });
  return form;
}

const usesBearer = (op) => !Array.isArray(op.security) || op.security.some((r) => r && typeof r === "object" && "bearer" in r);

function bodyPreview(res, text) {
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  if (type.startsWith("image/")) return `(${type}, ${text.length} bytes)`;
  return text.length > 4000 ? `${text.slice(0, 4000)}\n…` : text;
}

/**
 * The Try it section of one operation. `params` are the (dereferenced) path and query parameters,
 * `example` the JSON body to start from (or undefined when the operation takes none).
 */
export function tryIt(method, path, op, params, example) {
  const wrap = node("section", { class: "op__section try" });
  wrap.append(node("h4", { class: "op__section-title", text: "Try it" }));
  const form = node("form", { class: "try__form" });
  const fields = [];
  for (const p of params) {
    if (p.in !== "path" && p.in !== "query") continue;
    const id = `try-${method}-${path}-${p.in}-${p.name}`.replace(/[^A-Za-z0-9_-]+/g, "-");
    const input = node("input", { id, name: p.name, type: "text", autocomplete: "off", spellcheck: "false", required: p.in === "path" || p.required === true });
    fields.push({ param: p, input });
    form.append(node("label", { class: "try__field", for: id }, node("code", { text: p.name }), ` (${p.in}${p.required ? ", required" : ""})`), input);
  }
  let body = null;
  if (example !== undefined) {
    const id = `try-${method}-${path}-body`.replace(/[^A-Za-z0-9_-]+/g, "-");
    body = node("textarea", { id, class: "try__body", rows: "6", spellcheck: "false" });
    body.value = JSON.stringify(example, null, 2);
    form.append(node("label", { class: "try__field", for: id, text: "JSON body" }), body);
  }
  const send = node("button", { class: "btn btn--small", type: "submit", text: `Send ${method.toUpperCase()}` });
  const result = node("div", { class: "try__result", "aria-live": "polite" });
  form.append(send);
  wrap.append(form, result);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let url = path;
    const query = new URLSearchParams();
    for (const { param, input } of fields) {
      const value = input.value.trim();
      if (param.in === "path") url = url.replace(`{${param.name}}`, encodeURIComponent(value));
      else if (value !== "") query.set(param.name, value);
    }
    if (query.size > 0) url += `?${query}`;
    const headers = { accept: "application/json" };
    if (token && usesBearer(op)) headers.authorization = `Bearer ${token}`;
    else if (!SAFE_METHODS.has(method.toUpperCase())) {
      // Without a token a dashboard sign-in's cookie goes along, and a write with it needs its CSRF token.
      const csrf = await sessionCsrfToken();
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    const init = { method: method.toUpperCase(), headers, redirect: "manual", credentials: "same-origin" };
    if (body !== null) {
      headers["content-type"] = "application/json";
      init.body = body.value;
    }
    send.disabled = true;
    result.replaceChildren(node("p", { class: "try__status", text: "Sending…" }));
    try {
      const started = performance.now();
      const res = await fetch(url, init);
      const ms = Math.round(performance.now() - started);
      if (res.type === "opaqueredirect") {
        result.replaceChildren(
          node("p", {
            class: "try__status",
            text: `A redirect (${ms} ms): the browser does not show its Location to scripts; open ${url} in a tab to follow it.`,
          }),
        );
        return;
      }
      const text = method === "head" ? "" : await res.text();
      const lines = [
        `${res.status} ${res.statusText}`,
        ...["content-type", "location", "retry-after"].filter((h) => res.headers.has(h)).map((h) => `${h}: ${res.headers.get(h)}`),
      ];
      result.replaceChildren(
        node("p", { class: `try__status try__status--${Math.floor(res.status / 100)}xx`, text: `${method.toUpperCase()} ${url} → ${lines[0]} (${ms} ms)` }),
        node("pre", { class: "example__code" }, node("code", { text: [...lines.slice(1), "", bodyPreview(res, text)].join("\n").trim() })),
      );
    } catch (error) {
      result.replaceChildren(
        node("p", { class: "try__status try__status--error", text: `The request failed: ${error instanceof Error ? error.message : String(error)}` }),
      );
    } finally {
      send.disabled = false;
    }
  });
  return wrap;
}
