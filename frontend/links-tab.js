// The Links tab: the create form (the same form works without JavaScript, posting to /shorten),
// the newest links with their click counts, and the category distribution of the newest 100.
// The list refreshes itself when the live stream reports a created link. Where the server serves
// several short domains the form offers those the session may create on (GET /api/v1/session's
// `domains`) and every row names its link's domain.

import { ApiError, api } from "./api.js";
import { createBulkCreate } from "./bulk-create.js";
import { can, currentSession, isDefaultDomain, onSessionChange } from "./credentials.js";
import { $, copyText, dateFmt, el, linkStateLabel, numberFmt, parseDate, relativeTime, renderBars, safeHref, shortUrlOf } from "./dom.js";
import { analyticsHref, linkActions, linkKey } from "./link-actions.js";

const API = "/api/v1/links";
const RECENT_LIMIT = 20;
/** Categories are counted over the newest links the list endpoint returns in one page. */
const CATEGORY_SAMPLE = 100;

const form = $("shorten-form");
const urlInput = $("long-url");
const aliasInput = $("alias");
const expiryInput = $("expires-at");
const domainField = $("domain-field");
const domainSelect = $("domain");
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
  unknown_domain: domainSelect,
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
  for (const input of [urlInput, aliasInput, expiryInput, domainSelect]) {
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

for (const input of [urlInput, aliasInput, expiryInput, domainSelect]) {
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

  resultStats.href = analyticsHref(link);
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

function selectNode(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
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
  if (!domainField.hidden && !isDefaultDomain(domainSelect.value)) payload.domain = domainSelect.value;
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
    lastCreatedCode = typeof data.code === "string" ? linkKey(data) : null;
    showResult(data, { reused });
    announce(reused ? `Existing short link: ${shortUrlOf(data)}` : `Short link created: ${shortUrlOf(data)}`);
    // The next link most likely goes to the same domain: the reset keeps the choice.
    const domain = domainSelect.value;
    form.reset();
    domainSelect.value = domain;
    setExpiryMin();
    // A stale `?created=` would re-show an older link on reload.
    if (new URLSearchParams(location.search).has("created")) history.replaceState(null, "", location.pathname);
    refreshAll();
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
// The list: search, tag filter and cursor pages (GET /api/v1/links), newest first

let recentController = null;
let hasLoadedOnce = false;
/** Cursors of the pages before the current one (Newer goes back), and the current page's own. */
const pages = [];
let pageCursor = null;
let nextCursor = null;
let filter = { q: "", tag: "" };
/** whether the rows name their domain: the server serves several (as far as this page can tell) */
let showDomains = false;

function renderRow(link) {
  const code = typeof link.code === "string" ? link.code : String(link.code ?? "");
  const shortUrl = shortUrlOf(link);
  const href = safeHref(shortUrl);
  // A password link's target is shown to its key and admins only: the server sends null to others.
  const target = typeof link.url === "string" ? link.url : link.passwordProtected ? "(password protected)" : "";

  const codeLink = el(href ? "a" : "span", { class: "code-link truncate", title: shortUrl, text: code });
  if (href) {
    codeLink.href = can("stats") ? analyticsHref(link) : href;
    if (!can("stats")) {
      codeLink.target = "_blank";
      codeLink.rel = "noopener";
    }
  }

  const targetWrap = el("div", { class: "target" });
  targetWrap.append(el("span", { class: "target__url truncate", title: target, text: target }));
  if (typeof link.category === "string" && link.category) {
    targetWrap.append(el("span", { class: "badge", title: "Category", text: link.category }));
  }
  const state = linkStateLabel(link);
  if (state) targetWrap.append(el("span", { class: "badge badge--warn", title: state.title, text: state.text }));
  if (link.passwordProtected) targetWrap.append(el("span", { class: "badge", title: "Visitors need a password", text: "password" }));
  for (const tag of Array.isArray(link.tags) ? link.tags : []) {
    const chip = el("button", { class: "tag-chip", type: "button", title: `Show links tagged ${tag}`, text: `#${tag}` });
    chip.addEventListener("click", () => {
      tagInput.value = tag;
      applyFilter();
    });
    targetWrap.append(chip);
  }
  const clicks = Number.isFinite(Number(link.clicks)) ? Number(link.clicks) : 0;
  const maxClicks = Number.isFinite(Number(link.maxClicks)) && link.maxClicks !== null ? Number(link.maxClicks) : null;

  const created = parseDate(link.createdAt);
  const createdCell = created
    ? el("time", { class: "created", datetime: created.toISOString(), title: dateFmt.format(created), dataset: { rel: "" }, text: relativeTime(created) })
    : el("span", { class: "created", text: "—" });

  const clicksCell = el("span", { class: "clicks" }, numberFmt.format(clicks));
  if (maxClicks !== null && maxClicks > 0) clicksCell.append(el("span", { class: "clicks-max", title: "Click limit" }, ` / ${numberFmt.format(maxClicks)}`));
  clicksCell.append(el("span", { class: "clicks-label", text: clicks === 1 ? " click" : " clicks" }));

  const domain = typeof link.domain === "string" ? link.domain : "";
  const codeCell = el("td", { role: "cell", class: "col-code" }, codeLink);
  if (showDomains && domain) codeCell.append(el("span", { class: "code-domain truncate", title: `on ${domain}`, text: domain }));

  const tr = el(
    "tr",
    { role: "row", dataset: { code, domain, status: String(link.status ?? "") } },
    codeCell,
    el("td", { role: "cell", class: "col-target" }, targetWrap),
    el("td", { role: "cell", class: "col-created" }, createdCell),
    el("td", { role: "cell", class: "col-clicks" }, clicksCell),
    el("td", { role: "cell", class: "col-actions" }, linkActions(link, { compact: true })),
  );
  if (code && linkKey(link) === lastCreatedCode) tr.classList.add("is-new");
  return tr;
}

function listPath() {
  const params = new URLSearchParams({ limit: String(RECENT_LIMIT) });
  if (pageCursor) params.set("cursor", pageCursor);
  if (filter.q) params.set("q", filter.q);
  if (filter.tag) params.set("tag", filter.tag);
  return `${API}?${params}`;
}

function renderPager(count) {
  $("page-newer").disabled = pages.length === 0;
  $("page-older").disabled = nextCursor === null;
  const page = pages.length + 1;
  $("page-info").textContent = count === 0 && page === 1 ? "" : `Page ${page}`;
}

function renderEmpty() {
  const filtered = filter.q !== "" || filter.tag !== "";
  $("recent-empty-title").textContent = filtered ? "No links match" : pages.length > 0 ? "No more links" : "No links yet";
  $("recent-empty-text").textContent = filtered
    ? nextCursor
      ? "Nothing on this page of the search: try Older to look further back, or change the search."
      : "Try another search or tag."
    : can("create")
      ? "Shorten your first URL above and it will show up here."
      : "Links created with this key will show up here.";
}

async function loadRecent() {
  recentController?.abort();
  const controller = new AbortController();
  recentController = controller;
  recentBody.setAttribute("aria-busy", "true");
  refreshBtn.disabled = true;

  try {
    const { data } = await api(listPath(), { signal: controller.signal });
    if (controller !== recentController) return;
    const items = Array.isArray(data.items) ? data.items : [];
    nextCursor = typeof data.nextCursor === "string" ? data.nextCursor : null;
    onCodes(items.filter((l) => typeof l.code === "string").map(linkKey));
    rememberTags(items);
    showDomains = currentSession().domains.length > 1 || items.some((l) => !isDefaultDomain(l.domain));
    recentRows.replaceChildren(...items.map(renderRow));
    recentRows.closest("table").hidden = items.length === 0;
    recentEmpty.hidden = items.length !== 0;
    if (items.length === 0) renderEmpty();
    recentError.hidden = true;
    renderPager(items.length);
    const filtered = filter.q || filter.tag;
    $("recent-note").textContent = filtered
      ? `matching ${[filter.q && `“${filter.q}”`, filter.tag && `#${filter.tag}`].filter(Boolean).join(" and ")}`
      : "newest first";
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

const knownTags = new Set();
function rememberTags(items) {
  const before = knownTags.size;
  for (const link of items) for (const tag of Array.isArray(link.tags) ? link.tags : []) knownTags.add(tag);
  if (knownTags.size !== before) $("links-tags").replaceChildren(...[...knownTags].sort().map((t) => el("option", { value: t })));
}

const qInput = $("links-q");
const tagInput = $("links-tag");
function applyFilter() {
  const tag = tagInput.value.trim().replace(/^#/, "");
  if (tag && !/^[A-Za-z0-9_.-]{1,32}$/.test(tag)) {
    tagInput.setAttribute("aria-invalid", "true");
    return;
  }
  tagInput.removeAttribute("aria-invalid");
  filter = { q: qInput.value.trim(), tag };
  pages.length = 0;
  pageCursor = null;
  loadRecent();
}
$("links-filter").addEventListener("submit", (e) => {
  e.preventDefault();
  applyFilter();
});
// Clearing a search box (its x button) shows everything again.
for (const input of [qInput, tagInput]) {
  input.addEventListener("search", () => {
    if (input.value === "") applyFilter();
  });
}
$("page-older").addEventListener("click", () => {
  if (nextCursor === null) return;
  pages.push(pageCursor);
  pageCursor = nextCursor;
  loadRecent();
});
$("page-newer").addEventListener("click", () => {
  if (pages.length === 0) return;
  pageCursor = pages.pop();
  loadRecent();
});

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

let categoriesController = null;
async function loadCategories() {
  categoriesController?.abort();
  const controller = new AbortController();
  categoriesController = controller;
  try {
    const { data } = await api(`${API}?limit=${CATEGORY_SAMPLE}`, { signal: controller.signal });
    renderCategories(Array.isArray(data.items) ? data.items : []);
  } catch {
    // the list above says what went wrong
  }
}

/** Someone else (the Analytics tab) wants the codes of the newest links. */
let onCodes = () => {};

function refreshAll() {
  loadRecent();
  loadCategories();
}

refreshBtn.addEventListener("click", () => refreshAll());
retryBtn.addEventListener("click", () => refreshAll());

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
    refreshAll();
  }, delay);
}

/** The domain picker: only where the session may create on more than the default domain. */
function applyDomains() {
  const domains = currentSession().domains ?? [];
  const chosen = domainSelect.value;
  domainSelect.replaceChildren(...domains.map((d, i) => el("option", { value: d, text: i === 0 && isDefaultDomain(d) ? `${d} (default)` : d })));
  if (domains.includes(chosen)) domainSelect.value = chosen;
  domainField.hidden = domains.length < 2;
}

/** What the session may do decides what the tab offers: no create form without `create`, no bulk without a key. */
function applyScopes() {
  const mayCreate = can("create");
  $("shorten-title").closest(".shorten").hidden = !mayCreate;
  $("bulk").hidden = !(mayCreate && currentSession().signedIn);
  applyDomains();
}

/**
 * @param {{ stream: import("./live.js").LiveStream, showTab: (name: string) => void, codesChanged: (codes: string[]) => void }} deps
 */
export function createLinksTab({ stream, showTab, codesChanged }) {
  onCodes = codesChanged;
  setExpiryMin();
  applyScopes();
  refreshAll();
  onSessionChange(applyScopes);
  createBulkCreate({ created: () => refreshSoon(0) });
  document.addEventListener("links:changed", () => refreshSoon(0));
  if (new URLSearchParams(location.search).has("created") || new URLSearchParams(location.search).has("error")) showTab("links");
  showCreatedFromQuery();
  showErrorFromQuery();
  stream.on("events", (f) => {
    if (f.events.some((e) => e.type === "write")) refreshSoon();
  });
  // Click counts move with redirects; the list follows every 15 s while the page is in view.
  setInterval(() => {
    if (document.visibilityState === "visible" && !document.querySelector("dialog[open], details.menu[open]")) refreshSoon(0);
  }, 15_000);
  return { refresh: () => refreshSoon(0) };
}
