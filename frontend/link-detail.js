// The per-link page (#analytics/<code>, #analytics/<domain>/<code> off the default domain): the link itself above its analytics — short URL, target,
// state, every setting — with the actions the session may take (link-actions.js). It follows
// changes made anywhere on the page (`links:changed`).

import { ApiError, api } from "./api.js";
import { $, count, dateFmt, el, linkStateLabel, parseDate, relativeTime, safeHref, shortUrlOf } from "./dom.js";
import { linkActions, linkKey, linkPath } from "./link-actions.js";

const REDIRECTS = { 301: "301 permanent", 302: "302 found", 307: "307 temporary", 308: "308 permanent" };

export function createLinkDetail() {
  const card = $("link-detail");
  const title = $("detail-link");
  const badges = $("detail-badges");
  const actions = $("detail-actions");
  const meta = $("detail-meta");
  const state = $("detail-state");
  /** the link shown: { code, domain } (domain null: the default one) */
  let shown = null;
  let controller = null;

  function row(label, value, title) {
    return el("div", { class: "link-detail__item" }, el("dt", { text: label }), el("dd", { title }, value));
  }

  function render(link) {
    const short = shortUrlOf(link);
    title.textContent = short.replace(/^https?:\/\//, "");
    title.href = safeHref(short) ?? "#";
    badges.replaceChildren();
    const s = linkStateLabel(link);
    badges.append(el("span", { class: `badge ${s ? "badge--warn" : "badge--ok"}`, title: s?.title ?? "Serving redirects", text: s?.text ?? "active" }));
    if (link.passwordProtected) badges.append(el("span", { class: "badge", text: "password" }));
    for (const tag of link.tags ?? []) badges.append(el("span", { class: "tag-chip tag-chip--static", text: `#${tag}` }));
    actions.replaceChildren(linkActions(link, { showAnalytics: false }));

    const target = typeof link.url === "string" ? link.url : "(hidden: password protected)";
    const targetHref = safeHref(link.url);
    const created = parseDate(link.createdAt);
    const expires = parseDate(link.expiresAt);
    const updated = parseDate(link.updatedAt);
    meta.replaceChildren(
      row(
        "Target",
        targetHref ? el("a", { href: targetHref, target: "_blank", rel: "noopener noreferrer", class: "link-detail__target", text: target }) : target,
        target,
      ),
      row("Clicks", link.maxClicks ? `${count(link.clicks)} of ${count(link.maxClicks)}` : count(link.clicks)),
      row("Created", created ? `${dateFmt.format(created)} (${relativeTime(created)})` : "—"),
      row("Expires", expires ? `${dateFmt.format(expires)} (${relativeTime(expires)})` : "never"),
      row("Redirect", REDIRECTS[link.redirectType] ?? String(link.redirectType)),
      row("Query string", link.forwardQuery ? "forwarded to the target" : "not forwarded"),
      row("Category", link.category ?? "not classified yet"),
      ...(updated ? [row("Changed", `${dateFmt.format(updated)} (${relativeTime(updated)})`)] : []),
    );
  }

  async function load() {
    if (!shown) return;
    const name = linkKey(shown);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      const { data } = await api(linkPath(shown), { signal: mine.signal });
      if (mine !== controller) return;
      state.hidden = true;
      meta.hidden = false;
      render(data);
    } catch (err) {
      if (err && err.name === "AbortError") return;
      title.textContent = name;
      badges.replaceChildren();
      actions.replaceChildren();
      meta.hidden = true;
      state.dataset.kind = "empty";
      state.textContent =
        err instanceof ApiError && err.status === 404
          ? `There is no link with the code “${name}”.`
          : err instanceof ApiError && err.status === 410
            ? `The link “${name}” was deleted.`
            : err instanceof ApiError
              ? err.message
              : "Something went wrong while loading the link.";
      state.hidden = false;
    }
  }

  document.addEventListener("links:changed", (e) => {
    if (!shown || e.detail.key !== linkKey(shown)) return;
    if (e.detail.link) render(e.detail.link);
    else {
      // Deleted here: back to the list.
      location.hash = "#links";
    }
  });

  return {
    show(code, domain = null) {
      shown = code ? { code, domain } : null;
      card.hidden = shown === null;
      if (shown) {
        title.textContent = linkKey(shown);
        state.hidden = false;
        state.dataset.kind = "info";
        state.textContent = "Loading the link…";
        meta.hidden = true;
        load();
      }
    },
  };
}
