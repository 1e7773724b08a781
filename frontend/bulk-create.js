// Creating many links at once: pasted lines or an uploaded CSV go to POST /api/v1/links/bulk in
// requests of up to 1,000 items, and every row gets its own result (the short link, or the
// server's reason for refusing it). Plain lines are one URL each; a first line naming a `url`
// column makes the text CSV with the columns of `ringlink import`.

import { ApiError, api } from "./api.js";
import { $, el, safeHref, shortUrlOf } from "./dom.js";

const MAX_ROWS = 1_000;
const COLUMNS = ["url", "alias", "tags", "expiresAt", "maxClicks", "redirectType", "forwardQuery", "password", "domain"];

/** RFC 4180 fields: quotes, doubled quotes, commas and line breaks inside quotes. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

/** The create bodies a text stands for, or throws an Error saying what is wrong with it. */
export function itemsFrom(text) {
  const rows = parseCsv(text.replace(/^\uFEFF/, ""));
  if (rows.length === 0) throw new Error("Paste at least one URL, or choose a file.");
  const header = rows[0].map((h) => h.trim());
  const isCsv = header.some((h) => h.toLowerCase() === "url");
  const body = isCsv ? rows.slice(1) : rows;
  if (body.length === 0) throw new Error("The CSV has a header but no rows.");
  if (body.length > MAX_ROWS) throw new Error(`At most ${MAX_ROWS.toLocaleString()} rows at a time (got ${body.length.toLocaleString()}).`);
  if (!isCsv) return body.map((r) => ({ url: r.join(",").trim() }));
  const index = new Map(header.map((h, i) => [COLUMNS.find((c) => c.toLowerCase() === h.toLowerCase()) ?? h, i]));
  return body.map((r) => {
    const get = (name) => {
      const i = index.get(name);
      const v = i === undefined ? "" : (r[i] ?? "").trim();
      return v === "" ? undefined : v;
    };
    const item = { url: get("url") ?? "" };
    if (get("alias")) item.alias = get("alias");
    if (get("tags"))
      item.tags = get("tags")
        .split(/[;|]/)
        .map((t) => t.trim())
        .filter(Boolean);
    if (get("expiresAt")) {
      const d = new Date(get("expiresAt"));
      item.expiresAt = Number.isNaN(d.getTime()) ? get("expiresAt") : d.toISOString();
    }
    if (get("maxClicks")) item.maxClicks = Number(get("maxClicks"));
    if (get("redirectType")) item.redirectType = Number(get("redirectType"));
    if (get("forwardQuery")) item.forwardQuery = /^(true|1|yes)$/i.test(get("forwardQuery"));
    if (get("password")) item.password = get("password");
    // The short domain, as `ringlink export` writes it (empty: the default one).
    if (get("domain")) item.domain = get("domain");
    return item;
  });
}

export function createBulkCreate({ created }) {
  const form = $("bulk-form");
  const input = $("bulk-input");
  const file = $("bulk-file");
  const submit = $("bulk-submit");
  const errorBox = $("bulk-error");
  const resultBox = $("bulk-result");
  const rowsEl = $("bulk-rows");
  let busy = false;

  const fail = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = false;
  };

  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    if (chosen.size > 1024 * 1024) {
      fail("That file is larger than 1 MB; split it into smaller files.");
      return;
    }
    input.value = await chosen.text();
    errorBox.hidden = true;
  });

  function resultRow(item, result) {
    let outcome;
    if (result.link) {
      const short = shortUrlOf(result.link);
      const href = safeHref(short);
      outcome = el(
        "span",
        { class: "bulk-ok" },
        el("span", { class: `pill ${result.status === 201 ? "pill--ok" : "pill--read"}`, text: result.status === 201 ? "created" : "existing" }),
        " ",
        href ? el("a", { href, target: "_blank", rel: "noopener", class: "code-link", text: short }) : short,
      );
    } else {
      outcome = el(
        "span",
        { class: "bulk-bad" },
        el("span", { class: "pill pill--bad", text: String(result.status) }),
        " ",
        result.error?.message ?? "refused",
      );
    }
    return el(
      "tr",
      { dataset: { status: String(result.status) } },
      el("td", { class: "num", text: String(result.index + 1) }),
      el("td", { class: "bulk-url" }, el("span", { class: "truncate", title: item.url, text: item.url || "(empty)" })),
      el("td", {}, outcome),
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    errorBox.hidden = true;
    let items;
    try {
      items = itemsFrom(input.value);
    } catch (err) {
      fail(err.message);
      input.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.querySelector(".swap").dataset.state = "busy";
    try {
      const { data } = await api("/api/v1/links/bulk", { method: "POST", body: { links: items } });
      const results = Array.isArray(data.results) ? data.results : [];
      rowsEl.replaceChildren(...results.map((r) => resultRow(items[r.index] ?? { url: "" }, r)));
      const existing = results.filter((r) => r.status === 200).length;
      const parts = [`${data.created} created`];
      if (existing) parts.push(`${existing} already had a link`);
      if (data.failed) parts.push(`${data.failed} refused (see below)`);
      $("bulk-summary").textContent = `${parts.join(", ")}.`;
      resultBox.hidden = false;
      if (data.failed === 0) input.value = "";
      file.value = "";
      created();
    } catch (err) {
      fail(err instanceof ApiError ? err.message : "Something went wrong. Please try again.");
    } finally {
      busy = false;
      submit.disabled = false;
      submit.querySelector(".swap").dataset.state = "idle";
    }
  });
}
