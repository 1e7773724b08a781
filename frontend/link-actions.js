// What can be done to one link, shared by the Links list and the per-link page: edit (a dialog),
// disable/enable, delete (after a confirmation), copy, QR code downloads. Each action is offered
// only when the session's scopes allow it (credentials.js `can`); the server checks again.
// A change is announced as a `links:changed` event on document, so every view refreshes. A link on
// another short domain is named to the API by code and `?domain=` (linkPath): the same code may
// exist on every domain.

import { ApiError, api } from "./api.js";
import { can, isDefaultDomain } from "./credentials.js";
import { $, copyText, el, parseDate, shortUrlOf, toLocalInput, toast } from "./dom.js";

const API = "/api/v1/links";

/** The API path of a link (`sub`: "/qr", "/stats"), with `?domain=` for one off the default domain. */
export function linkPath(link, sub = "", params = {}) {
  const query = new URLSearchParams(params);
  if (!isDefaultDomain(link.domain)) query.set("domain", link.domain);
  const q = query.toString();
  return `${API}/${encodeURIComponent(link.code)}${sub}${q ? `?${q}` : ""}`;
}

/** How the page names a link: its code, or `domain/code` off the default domain (as the live stream does). */
export function linkKey(link) {
  return isDefaultDomain(link.domain) ? String(link.code) : `${link.domain}/${link.code}`;
}

/** The per-link page: `#analytics/<code>`, or `#analytics/<domain>/<code>`. */
export function analyticsHref(link) {
  const code = encodeURIComponent(String(link.code ?? ""));
  return isDefaultDomain(link.domain) ? `#analytics/${code}` : `#analytics/${encodeURIComponent(link.domain)}/${code}`;
}

export function linkChanged(key, link = null) {
  document.dispatchEvent(new CustomEvent("links:changed", { detail: { key, link } }));
}

export function qrHref(link, format) {
  return linkPath(link, "/qr", { format, size: "512" });
}

// ---------------------------------------------------------------- edit dialog

const dialog = $("edit-dialog");
const form = $("edit-form");
const f = {
  url: $("edit-url"),
  expires: $("edit-expires"),
  max: $("edit-max"),
  redirect: $("edit-redirect"),
  tags: $("edit-tags"),
  forward: $("edit-forward"),
  protect: $("edit-protect"),
  password: $("edit-password"),
  passwordField: $("edit-password-field"),
  passwordNote: $("edit-password-note"),
  error: $("edit-error"),
  save: $("edit-save"),
};
let editing = null;

function showPasswordField() {
  f.passwordField.hidden = !f.protect.checked;
  f.passwordNote.textContent = editing?.passwordProtected ? "(empty: keep the current one)" : "(4–128 characters)";
}

function editError(message, field = null) {
  f.error.textContent = message;
  f.error.hidden = false;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

function parseTags(raw) {
  return raw
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

/** The fields that differ from the link as loaded: PATCH changes only those. */
function changes(link) {
  const body = {};
  const url = f.url.value.trim();
  if (link.url !== null && url !== link.url) body.url = url;
  const expires = f.expires.value ? parseDate(f.expires.value) : null;
  if (f.expires.value && !expires) throw Object.assign(new Error("Enter a valid expiry date and time."), { field: f.expires });
  const oldExpires = parseDate(link.expiresAt);
  if ((expires === null) !== (oldExpires === null) || (expires && oldExpires && toLocalInput(expires) !== toLocalInput(oldExpires))) {
    if (expires && expires.getTime() <= Date.now()) throw Object.assign(new Error("The expiry must be in the future."), { field: f.expires });
    body.expiresAt = expires ? expires.toISOString() : null;
  }
  const max = f.max.value === "" ? null : Number(f.max.value);
  if (max !== null && !(Number.isInteger(max) && max > 0)) throw Object.assign(new Error("The click limit is a whole number above 0."), { field: f.max });
  if (max !== (link.maxClicks ?? null)) body.maxClicks = max;
  const redirect = Number(f.redirect.value);
  if (redirect !== link.redirectType) body.redirectType = redirect;
  const tags = parseTags(f.tags.value);
  if (tags.join(",") !== (link.tags ?? []).join(",")) body.tags = tags;
  if (f.forward.checked !== Boolean(link.forwardQuery)) body.forwardQuery = f.forward.checked;
  if (!f.protect.checked && link.passwordProtected) body.password = null;
  if (f.protect.checked && f.password.value !== "") body.password = f.password.value;
  if (f.protect.checked && !link.passwordProtected && f.password.value === "") {
    throw Object.assign(new Error("Enter the password visitors will need."), { field: f.password });
  }
  return body;
}

export function openEditor(link) {
  editing = link;
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  f.error.hidden = true;
  $("edit-title").textContent = `Edit ${linkKey(link)}`;
  f.url.value = link.url ?? "";
  f.url.disabled = link.url === null;
  const expires = parseDate(link.expiresAt);
  f.expires.value = expires ? toLocalInput(expires) : "";
  f.max.value = link.maxClicks === null || link.maxClicks === undefined ? "" : String(link.maxClicks);
  f.redirect.value = String(link.redirectType ?? 302);
  f.tags.value = (link.tags ?? []).join(", ");
  f.forward.checked = Boolean(link.forwardQuery);
  f.protect.checked = Boolean(link.passwordProtected);
  f.password.value = "";
  showPasswordField();
  dialog.showModal();
  f.url.focus();
}

f.protect.addEventListener("change", showPasswordField);
$("edit-cancel").addEventListener("click", () => dialog.close());
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!editing) return;
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  f.error.hidden = true;
  let body;
  try {
    body = changes(editing);
  } catch (err) {
    editError(err.message, err.field ?? null);
    return;
  }
  if (Object.keys(body).length === 0) {
    dialog.close();
    return;
  }
  const swap = f.save.querySelector(".swap");
  f.save.disabled = true;
  swap.dataset.state = "busy";
  try {
    const { data } = await api(linkPath(editing), { method: "PATCH", body });
    dialog.close();
    toast(`Saved ${linkKey(data)}`);
    linkChanged(linkKey(data), data);
  } catch (err) {
    editError(err instanceof ApiError ? err.message : "Something went wrong. Please try again.");
  } finally {
    f.save.disabled = false;
    swap.dataset.state = "idle";
  }
});

// ---------------------------------------------------------------- confirmation

const confirmDialog = $("confirm-dialog");

function confirmDelete(link) {
  $("confirm-title").textContent = `Delete ${linkKey(link)}?`;
  $("confirm-text").textContent =
    `${shortUrlOf(link)} stops working for everyone (it answers 410 Gone) and its code is not handed out again. This cannot be undone.`;
  confirmDialog.returnValue = "";
  confirmDialog.showModal();
  $("confirm-cancel").focus();
  return new Promise((resolve) => {
    confirmDialog.addEventListener("close", () => resolve(confirmDialog.returnValue === "ok"), { once: true });
  });
}

// ---------------------------------------------------------------- actions

async function setDisabled(link, disabled) {
  try {
    const { data } = await api(linkPath(link), { method: "PATCH", body: { disabled } });
    toast(disabled ? `Disabled ${linkKey(link)}: it answers 410 until enabled` : `Enabled ${linkKey(link)}`);
    linkChanged(linkKey(link), data);
  } catch (err) {
    toast(err instanceof ApiError ? err.message : "Something went wrong.", "error");
  }
}

async function remove(link) {
  if (!(await confirmDelete(link))) return;
  try {
    await api(linkPath(link), { method: "DELETE" });
    toast(`Deleted ${linkKey(link)}`);
    linkChanged(linkKey(link), null);
  } catch (err) {
    toast(err instanceof ApiError ? err.message : "Something went wrong.", "error");
  }
}

async function copy(link, button) {
  const ok = await copyText(shortUrlOf(link));
  toast(ok ? `Copied ${shortUrlOf(link)}` : "Could not copy automatically: select the link and press Ctrl+C.", ok ? "ok" : "error");
  if (ok && button) {
    button.classList.add("is-copied");
    setTimeout(() => button.classList.remove("is-copied"), 1500);
  }
}

const ICONS = {
  copy: "M9 9h11v11H9zM5 15V6a2 2 0 0 1 2-2h9",
  edit: "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4",
  more: "M5 12h.01M12 12h.01M19 12h.01",
};

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", name === "more" ? "3" : "2");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}

function downloadLink(link, format) {
  // Named after the domain too off the default one: the same code on two domains is two files.
  const name = isDefaultDomain(link.domain) ? link.code : `${link.domain}_${link.code}`;
  return el(
    "a",
    { class: "menu__item", href: qrHref(link, format), download: `${name}.${format}`, dataset: { action: `qr-${format}` } },
    `QR code (${format.toUpperCase()})`,
  );
}

/**
 * The buttons for one link. `compact` (a list row): Copy and Edit as icons, the rest in a menu;
 * otherwise (the per-link page) every action as a labelled button.
 */
export function linkActions(link, { compact = false, showAnalytics = true } = {}) {
  const mayManage = can("manage") && link.status !== "deleted";
  const disabled = link.disabled === "manual";
  const copyBtn = el(
    "button",
    {
      class: "btn btn--ghost btn--small btn--icon",
      type: "button",
      title: "Copy short link",
      "aria-label": `Copy ${linkKey(link)}`,
      dataset: { action: "copy" },
    },
    icon("copy"),
    compact ? null : "Copy",
  );
  copyBtn.addEventListener("click", () => copy(link, copyBtn));
  const items = [];
  let editBtn = null;
  if (mayManage) {
    editBtn = el(
      "button",
      { class: "btn btn--ghost btn--small btn--icon", type: "button", title: "Edit", "aria-label": `Edit ${linkKey(link)}`, dataset: { action: "edit" } },
      icon("edit"),
      compact ? null : "Edit",
    );
    editBtn.addEventListener("click", () => openEditor(link));
  }
  if (showAnalytics && can("stats"))
    items.push(el("a", { class: "menu__item", href: analyticsHref(link), dataset: { action: "analytics" } }, "Details & analytics"));
  items.push(downloadLink(link, "svg"), downloadLink(link, "png"));
  if (mayManage && link.disabled !== "unsafe") {
    const toggle = el("button", { class: "menu__item", type: "button", dataset: { action: disabled ? "enable" : "disable" } }, disabled ? "Enable" : "Disable");
    toggle.addEventListener("click", () => setDisabled(link, !disabled));
    items.push(toggle);
  }
  if (mayManage) {
    const del = el("button", { class: "menu__item menu__item--danger", type: "button", dataset: { action: "delete" } }, "Delete…");
    del.addEventListener("click", () => remove(link));
    items.push(del);
  }
  if (!compact) {
    for (const b of [copyBtn, editBtn]) b?.classList.replace("btn--ghost", "btn--secondary");
    const wrap = el("div", { class: "actions actions--full" }, copyBtn, editBtn);
    for (const item of items) {
      item.classList.remove("menu__item");
      item.classList.add("btn", "btn--secondary", "btn--small");
      if (item.dataset.action === "delete") item.classList.add("btn--danger-ghost");
      wrap.append(item);
    }
    return wrap;
  }
  const menu = el(
    "details",
    { class: "menu" },
    el("summary", { class: "btn btn--ghost btn--small btn--icon", title: "More actions", "aria-label": `More actions for ${linkKey(link)}` }, icon("more")),
    el("div", { class: "menu__list", role: "menu" }, ...items),
  );
  // One open menu at a time; a choice closes it.
  menu.addEventListener("toggle", () => {
    if (!menu.open) return;
    for (const other of document.querySelectorAll("details.menu[open]")) if (other !== menu) other.open = false;
  });
  menu.addEventListener("click", (e) => {
    if (e.target.closest(".menu__item")) menu.open = false;
  });
  return el("div", { class: "actions" }, copyBtn, editBtn, menu);
}

document.addEventListener("click", (e) => {
  if (!e.target.closest("details.menu")) for (const open of document.querySelectorAll("details.menu[open]")) open.open = false;
});
