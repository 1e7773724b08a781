// ringlink dashboard — plain ES module, no build step.
// All server/user data is rendered with textContent / DOM APIs, never innerHTML.

const API = "/api/v1/links";
const RECENT_LIMIT = 20;

const $ = (id) => document.getElementById(id);

const form = $("shorten-form");
const urlInput = $("long-url");
const aliasInput = $("alias");
const expiryInput = $("expires-at");
const submitBtn = $("submit-btn");
const formError = $("form-error");
const statusEl = $("status");

const resultBox = $("result");
const resultTitle = $("result-title");
const resultNote = $("result-note");
const resultLink = $("result-link");
const resultTarget = $("result-target");
const resultExpiryRow = $("result-expiry-row");
const resultExpiry = $("result-expiry");
const copyBtn = $("copy-btn");
const copySwap = copyBtn.querySelector(".swap");
const submitSwap = submitBtn.querySelector(".swap");

const recentBody = $("recent-body");
const recentRows = $("recent-rows");
const recentEmpty = $("recent-empty");
const recentError = $("recent-error");
const recentErrorMsg = $("recent-error-msg");
const refreshBtn = $("refresh-btn");
const retryBtn = $("retry-btn");

// ---------------------------------------------------------------------------
// API helper

class ApiError extends Error {
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

async function api(path, { method = "GET", body, signal } = {}) {
  const init = { method, headers: { Accept: "application/json" }, signal };
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
    const message =
      env && typeof env.message === "string" && env.message.trim() ? env.message : fallbackMessage(res.status);
    throw new ApiError(res.status, code, message, res.headers.get("Retry-After"));
  }
  if (!data || typeof data !== "object") {
    throw new ApiError(res.status, "invalid_response", "The server sent an unexpected response.");
  }
  return { status: res.status, data };
}

// ---------------------------------------------------------------------------
// Formatting helpers

const numberFmt = new Intl.NumberFormat();
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relFmt = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

function parseDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function relativeTime(date, now = Date.now()) {
  const diffSec = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(diffSec);
  if (abs < 45) return diffSec <= 0 ? "just now" : "in a few seconds";
  const units = [
    ["minute", 60, 3600],
    ["hour", 3600, 86400],
    ["day", 86400, 86400 * 7],
    ["week", 86400 * 7, 86400 * 30],
    ["month", 86400 * 30, 86400 * 365],
    ["year", 86400 * 365, Infinity],
  ];
  for (const [unit, size, limit] of units) {
    if (abs < limit) return relFmt.format(Math.round(diffSec / size), unit);
  }
  return dateFmt.format(date);
}

/** Only http(s) URLs become clickable; anything else is shown as text. */
function safeHref(value) {
  if (typeof value !== "string") return null;
  try {
    const u = new URL(value, location.origin);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function shortUrlOf(link) {
  if (link && typeof link.shortUrl === "string" && link.shortUrl) return link.shortUrl;
  return `${location.origin}/${encodeURIComponent(String(link?.code ?? ""))}`;
}

function announce(message) {
  // Clear first so repeating the same message is announced again.
  statusEl.textContent = "";
  setTimeout(() => {
    statusEl.textContent = message;
  }, 50);
}

// ---------------------------------------------------------------------------
// Form errors

const FIELD_FOR_CODE = {
  invalid_url: urlInput,
  url_too_long: urlInput,
  blocked_url: urlInput,
  invalid_alias: aliasInput,
  reserved_alias: aliasInput,
  alias_taken: aliasInput,
  invalid_expiry: expiryInput,
};

function fieldForError(code) {
  if (FIELD_FOR_CODE[code]) return FIELD_FOR_CODE[code];
  if (/alias/.test(code)) return aliasInput;
  if (/expir/.test(code)) return expiryInput;
  if (/url/.test(code)) return urlInput;
  return null;
}

function clearFormError() {
  formError.hidden = true;
  formError.replaceChildren();
  for (const input of [urlInput, aliasInput, expiryInput]) {
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", input.dataset.describedby ?? "");
  }
}

function showFormError(title, err, field = null) {
  const children = [el("p", { class: "alert__title", text: title })];
  const detail = el("p", { class: "alert__detail" }, err.message);
  if (err.code && !/^http_\d+$/.test(err.code) && err.code !== "network_error" && err.code !== "client") {
    detail.append(el("span", { class: "alert__code", text: `(${err.code})` }));
  }
  children.push(detail);
  const retry = Number.parseInt(err.retryAfter ?? "", 10);
  if (err.status === 429 && Number.isFinite(retry) && retry > 0) {
    children.push(el("p", { class: "alert__detail", text: `You can try again in ${retry} second${retry === 1 ? "" : "s"}.` }));
  }
  formError.replaceChildren(...children);
  formError.hidden = false;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", [field.dataset.describedby, "form-error"].filter(Boolean).join(" "));
    field.focus();
  }
}

for (const input of [urlInput, aliasInput, expiryInput]) {
  input.dataset.describedby = input.getAttribute("aria-describedby") ?? "";
  input.addEventListener("input", () => {
    if (input.getAttribute("aria-invalid") === "true") input.removeAttribute("aria-invalid");
  });
}

// ---------------------------------------------------------------------------
// Result box

let lastCreatedCode = null;

function showResult(link, { reused = false, focus = false } = {}) {
  const shortUrl = shortUrlOf(link);
  resultLink.textContent = shortUrl;
  const href = safeHref(shortUrl);
  if (href) resultLink.href = href;
  else resultLink.removeAttribute("href");

  resultTarget.textContent = typeof link.url === "string" ? link.url : "";
  resultTarget.title = typeof link.url === "string" ? link.url : "";

  const expires = parseDate(link.expiresAt);
  if (expires) {
    resultExpiry.dateTime = expires.toISOString();
    resultExpiry.textContent = `${dateFmt.format(expires)} (${relativeTime(expires)})`;
    resultExpiryRow.hidden = false;
  } else {
    resultExpiry.textContent = "";
    resultExpiry.removeAttribute("datetime");
    resultExpiryRow.hidden = true;
  }

  resultTitle.textContent = reused ? "This URL already has a short link" : "Your short link is ready";
  resultNote.textContent = reused ? "The existing link was reused." : "";
  resultNote.hidden = !reused;

  resetCopyButton();
  resultBox.hidden = false;
  if (focus) resultLink.focus({ preventScroll: true });
  resultBox.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

// ---------------------------------------------------------------------------
// Copy to clipboard

let copyTimer = 0;

function resetCopyButton() {
  clearTimeout(copyTimer);
  copyBtn.classList.remove("is-copied");
  copySwap.dataset.state = "copy";
  copyBtn.setAttribute("aria-label", "Copy short link");
}

function legacyCopy(text) {
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.className = "visually-hidden";
  document.body.append(ta);
  const prevFocus = document.activeElement;
  ta.select();
  ta.setSelectionRange(0, text.length);
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  ta.remove();
  if (prevFocus instanceof HTMLElement) prevFocus.focus({ preventScroll: true });
  return ok;
}

function selectNode(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* fall through to the legacy path */
    }
  }
  return legacyCopy(text);
}

copyBtn.addEventListener("click", async () => {
  const text = resultLink.textContent ?? "";
  if (!text) return;
  const ok = await copyText(text);
  clearTimeout(copyTimer);
  if (ok) {
    copyBtn.classList.add("is-copied");
    copySwap.dataset.state = "copied";
    announce("Short link copied to clipboard");
  } else {
    selectNode(resultLink);
    copySwap.dataset.state = "manual";
    announce("Could not copy automatically. The link is selected; press Control C to copy it.");
  }
  copyTimer = setTimeout(resetCopyButton, 2000);
});

// ---------------------------------------------------------------------------
// Create flow

let busy = false;

function setBusy(on) {
  busy = on;
  submitBtn.disabled = on;
  form.setAttribute("aria-busy", String(on));
  submitSwap.dataset.state = on ? "busy" : "idle";
}

function buildPayload() {
  const payload = { url: urlInput.value.trim() };
  const alias = aliasInput.value.trim();
  if (alias) payload.alias = alias;
  const rawExpiry = expiryInput.value;
  if (rawExpiry) {
    // datetime-local has no zone: `new Date("YYYY-MM-DDTHH:mm")` reads it as local time.
    const d = parseDate(rawExpiry);
    if (!d) throw Object.assign(new ApiError(0, "client", "Enter a valid expiry date and time."), { field: expiryInput });
    if (d.getTime() <= Date.now()) {
      throw Object.assign(new ApiError(0, "client", "The expiry must be in the future."), { field: expiryInput });
    }
    payload.expiresAt = d.toISOString();
  }
  return payload;
}

form.addEventListener("submit", async (event) => {
  // Native constraint validation (required, type=url, pattern) has already passed
  // when the submit event fires; the non-JS path posts the form to /shorten.
  event.preventDefault();
  if (busy) return;
  clearFormError();

  let payload;
  try {
    payload = buildPayload();
  } catch (err) {
    showFormError("Check the expiry", err, err.field ?? null);
    return;
  }

  setBusy(true);
  try {
    const { status, data } = await api(API, { method: "POST", body: payload });
    const reused = status === 200;
    lastCreatedCode = typeof data.code === "string" ? data.code : null;
    showResult(data, { reused });
    announce(reused ? `Existing short link: ${shortUrlOf(data)}` : `Short link created: ${shortUrlOf(data)}`);
    form.reset();
    setExpiryMin();
    // A stale `?created=` would re-show an older link on reload.
    if (new URLSearchParams(location.search).has("created")) history.replaceState(null, "", location.pathname);
    loadRecent();
  } catch (err) {
    resultBox.hidden = true; // don't leave an older result next to the new error
    if (err instanceof ApiError) {
      showFormError("Couldn’t shorten that URL", err, fieldForError(err.code));
    } else {
      showFormError("Couldn’t shorten that URL", new ApiError(0, "client", "Something went wrong. Please try again."));
      console.error(err);
    }
  } finally {
    setBusy(false);
  }
});

function setExpiryMin() {
  // Helps the native picker; the server is still the authority on validity.
  const now = new Date(Date.now() + 60_000);
  const pad = (n) => String(n).padStart(2, "0");
  expiryInput.min = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

// ---------------------------------------------------------------------------
// Recent links

let recentController = null;
let hasLoadedOnce = false;

function renderRow(link) {
  const code = typeof link.code === "string" ? link.code : String(link.code ?? "");
  const shortUrl = shortUrlOf(link);
  const href = safeHref(shortUrl);
  const target = typeof link.url === "string" ? link.url : "";

  const codeLink = el(href ? "a" : "span", { class: "code-link truncate", title: shortUrl, text: code });
  if (href) {
    codeLink.href = href;
    codeLink.target = "_blank";
    codeLink.rel = "noopener";
  }

  const targetWrap = el("div", { class: "target" });
  targetWrap.append(el("span", { class: "target__url truncate", title: target, text: target }));
  if (typeof link.category === "string" && link.category) {
    targetWrap.append(el("span", { class: "badge", title: "Category", text: link.category }));
  }
  const expires = parseDate(link.expiresAt);
  const clicks = Number.isFinite(Number(link.clicks)) ? Number(link.clicks) : 0;
  const maxClicks = Number.isFinite(Number(link.maxClicks)) && link.maxClicks !== null ? Number(link.maxClicks) : null;
  if (expires && expires.getTime() <= Date.now()) {
    targetWrap.append(el("span", { class: "badge badge--warn", title: `Expired ${dateFmt.format(expires)}`, text: "expired" }));
  } else if (maxClicks !== null && maxClicks > 0 && clicks >= maxClicks) {
    targetWrap.append(el("span", { class: "badge badge--warn", title: `Reached its limit of ${maxClicks} clicks`, text: "used up" }));
  }

  const created = parseDate(link.createdAt);
  const createdCell = created
    ? el("time", { class: "created", datetime: created.toISOString(), title: dateFmt.format(created), dataset: { rel: "" }, text: relativeTime(created) })
    : el("span", { class: "created", text: "—" });

  const clicksCell = el("span", { class: "clicks" }, numberFmt.format(clicks));
  if (maxClicks !== null && maxClicks > 0) clicksCell.append(el("span", { class: "clicks-max", title: "Click limit" }, ` / ${numberFmt.format(maxClicks)}`));
  clicksCell.append(el("span", { class: "clicks-label", text: clicks === 1 ? " click" : " clicks" }));

  const tr = el("tr", { role: "row" },
    el("td", { role: "cell", class: "col-code" }, codeLink),
    el("td", { role: "cell", class: "col-target" }, targetWrap),
    el("td", { role: "cell", class: "col-created" }, createdCell),
    el("td", { role: "cell", class: "col-clicks" }, clicksCell),
  );
  if (code && code === lastCreatedCode) tr.classList.add("is-new");
  return tr;
}

async function loadRecent() {
  recentController?.abort();
  const controller = new AbortController();
  recentController = controller;
  recentBody.setAttribute("aria-busy", "true");
  refreshBtn.disabled = true;

  try {
    const { data } = await api(`${API}?limit=${RECENT_LIMIT}`, { signal: controller.signal });
    if (controller !== recentController) return;
    const items = Array.isArray(data.items) ? data.items : [];
    recentRows.replaceChildren(...items.map(renderRow));
    recentRows.closest("table").hidden = items.length === 0;
    recentEmpty.hidden = items.length !== 0;
    recentError.hidden = true;
    hasLoadedOnce = true;
  } catch (err) {
    if (err && err.name === "AbortError") return;
    if (controller !== recentController) return;
    recentErrorMsg.textContent = err instanceof ApiError ? err.message : "Something went wrong.";
    recentError.hidden = false;
    if (!hasLoadedOnce) {
      // Nothing useful to keep on screen: drop the skeleton.
      recentRows.replaceChildren();
      recentRows.closest("table").hidden = true;
      recentEmpty.hidden = true;
    }
    if (!(err instanceof ApiError)) console.error(err);
  } finally {
    if (controller === recentController) {
      recentBody.setAttribute("aria-busy", "false");
      refreshBtn.disabled = false;
      recentController = null;
    }
  }
}

refreshBtn.addEventListener("click", () => loadRecent());
retryBtn.addEventListener("click", () => loadRecent());

// Keep relative times fresh.
setInterval(() => {
  const now = Date.now();
  for (const t of recentRows.querySelectorAll("time[data-rel]")) {
    const d = parseDate(t.dateTime);
    if (d) t.textContent = relativeTime(d, now);
  }
}, 30_000);

// ---------------------------------------------------------------------------
// `/?created=<code>` (after the non-JS POST /shorten redirect)

async function showCreatedFromQuery() {
  const code = new URLSearchParams(location.search).get("created");
  if (!code) return;
  try {
    const { data } = await api(`${API}/${encodeURIComponent(code)}`);
    lastCreatedCode = typeof data.code === "string" ? data.code : code;
    showResult(data);
    // Re-highlight the row if the list rendered first.
    for (const a of recentRows.querySelectorAll(".code-link")) {
      if (a.textContent === lastCreatedCode) a.closest("tr")?.classList.add("is-new");
    }
  } catch (err) {
    const e =
      err instanceof ApiError && err.status === 404
        ? new ApiError(404, err.code, `No short link with the code “${code}” exists.`)
        : err instanceof ApiError
          ? err
          : new ApiError(0, "client", "Something went wrong.");
    showFormError("Couldn’t load the created link", e);
  }
}

// `/?error=<message>`: the non-JS form was refused; the server put its reason in the address.
function showErrorFromQuery() {
  const message = new URLSearchParams(location.search).get("error");
  if (!message) return;
  showFormError("Couldn’t shorten that URL", new ApiError(400, "client", message));
  history.replaceState(null, "", location.pathname);
}

setExpiryMin();
loadRecent();
showCreatedFromQuery();
showErrorFromQuery();
