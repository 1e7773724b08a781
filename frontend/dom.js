// DOM building and number/date formatting for the dashboard. Everything the server or a user
// sends is rendered with textContent / DOM APIs, never innerHTML.

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    // Through the CSSOM: a style attribute is inline style, which the page's CSP refuses.
    else if (key === "style") Object.assign(node.style, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const numberFmt = new Intl.NumberFormat();
const compactFmt = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
export const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const minuteFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const relFmt = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** Whole numbers up to 100k as-is, bigger ones compact (1.2M), so KPI tiles never overflow. */
export function count(n) {
  if (!Number.isFinite(n)) return "—";
  return Math.abs(n) < 100_000 ? numberFmt.format(Math.round(n)) : compactFmt.format(n);
}

export function rate(n) {
  if (!Number.isFinite(n)) return "—";
  return n >= 100 ? count(n) : n.toFixed(n >= 10 ? 1 : 2).replace(/\.?0+$/, "") || "0";
}

export function ms(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  if (n < 0.1) return n.toFixed(3);
  if (n < 10) return n.toFixed(2);
  return n.toFixed(0);
}

export function percent(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${(ratio * 100).toFixed(ratio >= 0.9995 || ratio === 0 ? 0 : 1)}%`;
}

export function clockTime(ts) {
  return timeFmt.format(new Date(ts));
}

export function minuteTime(ts) {
  return minuteFmt.format(new Date(ts));
}

export function duration(seconds) {
  if (!Number.isFinite(seconds)) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

export function parseDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function relativeTime(date, now = Date.now()) {
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
export function safeHref(value) {
  if (typeof value !== "string") return null;
  try {
    const u = new URL(value, location.origin);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

export function shortUrlOf(link) {
  if (link && typeof link.shortUrl === "string" && link.shortUrl) return link.shortUrl;
  return `${location.origin}/${encodeURIComponent(String(link?.code ?? ""))}`;
}

/** Horizontal bars (categories, top referrers, ...): label, count, share of the largest. */
export function renderBars(list, entries, { emptyText = "Nothing yet." } = {}) {
  if (entries.length === 0) {
    list.replaceChildren(el("li", { class: "bars__empty", text: emptyText }));
    return;
  }
  const max = Math.max(...entries.map((e) => e.count), 1);
  const total = entries.reduce((sum, e) => sum + e.count, 0) || 1;
  list.replaceChildren(
    ...entries.map((e) =>
      el(
        "li",
        { class: "bar", title: `${e.label}: ${numberFmt.format(e.count)} (${percent(e.count / total)})` },
        el("span", { class: "bar__label truncate", text: e.label }),
        el("span", { class: "bar__value", text: count(e.count) }),
        el(
          "span",
          { class: "bar__track", "aria-hidden": "true" },
          el("span", { class: "bar__fill", style: { width: `${((e.count / max) * 100).toFixed(1)}%` } }),
        ),
      ),
    ),
  );
}

/** Copies text to the clipboard (the async API on secure pages, a hidden textarea elsewhere); false when neither works. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* fall through to the legacy path */
    }
  }
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

/** A date as a datetime-local input's value (local time, minutes). */
export function toLocalInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

let toastTimer = 0;
// A message belongs to the view it was shown in: moving to another view drops it.
addEventListener("hashchange", () => {
  const node = document.getElementById("toast");
  if (node) node.hidden = true;
});
/** A short message at the bottom of the screen, read out by screen readers. */
export function toast(text, kind = "ok") {
  const node = document.getElementById("toast");
  if (!node) return;
  clearTimeout(toastTimer);
  node.textContent = text;
  node.dataset.kind = kind;
  node.hidden = false;
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 3500);
}

/** The words for a link's state (the server's `status`); null for a link that serves. */
export function linkStateLabel(link) {
  switch (link?.status) {
    case "expired":
      return { text: "expired", title: "Past its expiry: answers 410 Gone" };
    case "click_limit_reached":
      return { text: "used up", title: "Reached its click limit: answers 410 Gone" };
    case "disabled":
      return { text: "disabled", title: "Switched off: answers 410 Gone until enabled again" };
    case "unsafe":
      return { text: "unsafe", title: "Stopped by abuse protection" };
    case "deleted":
      return { text: "deleted", title: "Deleted" };
    default:
      return null;
  }
}
