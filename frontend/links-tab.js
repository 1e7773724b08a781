// The Links tab: the create form (the same form works without JavaScript, posting to /shorten),
// the newest links with their click counts, and the category distribution of the newest 100.
// The list refreshes itself when the live stream reports a created link.

import { ApiError, api } from "./api.js";
import { $, dateFmt, el, numberFmt, parseDate, relativeTime, renderBars, safeHref, shortUrlOf } from "./dom.js";

const API = "/api/v1/links";
const RECENT_LIMIT = 20;
/** Categories are counted over the newest links the list endpoint returns in one page. */
const CATEGORY_SAMPLE = 100;

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
const resultStats = $("result-stats");
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

  resultStats.href = `#analytics/${encodeURIComponent(String(link.code ?? ""))}`;
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
  // A password link's target is shown to its key and admins only: the server sends null to others.
  const target = typeof link.url === "string" ? link.url : link.passwordProtected ? "(password protected)" : "";

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

  const tr = el(
    "tr",
    { role: "row" },
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
    const { data } = await api(`${API}?limit=${CATEGORY_SAMPLE}`, { signal: controller.signal });
    if (controller !== recentController) return;
    const all = Array.isArray(data.items) ? data.items : [];
    const items = all.slice(0, RECENT_LIMIT);
    renderCategories(all);
    onCodes(all.map((l) => l.code).filter((c) => typeof c === "string"));
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

// ---------------------------------------------------------------------------
// Categories (set by the URL classifier; links it has not seen yet count as "uncategorised")

function renderCategories(links) {
  const counts = new Map();
  for (const link of links) {
    const name = typeof link.category === "string" && link.category ? link.category : "uncategorised";
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const entries = [...counts].map(([label, n]) => ({ label, count: n })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  $("categories-empty").hidden = entries.length > 0;
  $("categories").hidden = entries.length === 0;
  renderBars($("categories"), entries);
  $("categories-note").textContent = `of the newest ${numberFmt.format(links.length)} link${links.length === 1 ? "" : "s"}`;
}

/** Someone else (the Analytics tab) wants the codes of the newest links. */
let onCodes = () => {};

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
    // The code came from the address: it is not repeated on the page.
    const e =
      err instanceof ApiError && err.status === 404
        ? new ApiError(404, err.code, "That short link does not exist.")
        : err instanceof ApiError
          ? err
          : new ApiError(0, "client", "Something went wrong.");
    showFormError("Couldn’t load the created link", e);
  }
}

/**
 * What the page says for each reason POST /shorten can send a browser back with. The address
 * carries only the code; the words are the page's own, so a crafted link cannot make the
 * dashboard display text of its author's choosing.
 */
const SHORTEN_ERRORS = {
  invalid_url: "Enter a complete http:// or https:// address.",
  unsupported_scheme: "Only http:// and https:// addresses can be shortened.",
  url_too_long: "That address is too long to shorten.",
  credentials_in_url: "Addresses with a user name or password in them cannot be shortened.",
  self_link: "That address already points at this shortener.",
  private_target: "Addresses on private or local networks cannot be shortened.",
  invalid_alias: "An alias is 3–64 letters, digits, _ or -.",
  reserved_alias: "That alias is reserved. Pick another one.",
  alias_taken: "That alias is already taken. Pick another one.",
  invalid_expiry: "The expiry must be a date and time in the future.",
  blocked_domain: "Links to that domain are not allowed here.",
  unsafe_url: "That address looks unsafe (phishing or malware) and was refused.",
  unauthorized: "This needs an API key on this server.",
};

// `/?error=<code>`: the form was posted without JavaScript and refused.
function showErrorFromQuery() {
  const code = new URLSearchParams(location.search).get("error");
  if (code === null) return;
  const known = Object.hasOwn(SHORTEN_ERRORS, code);
  const message = known ? SHORTEN_ERRORS[code] : "That address could not be shortened. Check it and try again.";
  showFormError("Couldn’t shorten that URL", new ApiError(400, known ? code : "client", message), known ? fieldForError(code) : null);
  history.replaceState(null, "", location.pathname);
}

// ---------------------------------------------------------------------------

let refreshTimer = 0;
/** Coalesces refreshes: a burst of creates reloads the list once. */
function refreshSoon(delay = 800) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = 0;
    loadRecent();
  }, delay);
}

/**
 * @param {{ stream: import("./live.js").LiveStream, showTab: (name: string) => void, codesChanged: (codes: string[]) => void }} deps
 */
export function createLinksTab({ stream, showTab, codesChanged }) {
  onCodes = codesChanged;
  setExpiryMin();
  loadRecent();
  if (new URLSearchParams(location.search).has("created") || new URLSearchParams(location.search).has("error")) showTab("links");
  showCreatedFromQuery();
  showErrorFromQuery();
  stream.on("events", (f) => {
    if (f.events.some((e) => e.type === "write")) refreshSoon();
  });
  // Click counts move with redirects; the list follows every 15 s while the page is in view.
  setInterval(() => {
    if (document.visibilityState === "visible") refreshSoon(0);
  }, 15_000);
}
