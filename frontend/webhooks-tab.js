// The Webhooks tab: add a receiver (URL, events, click sample), see its secret once, list the
// webhooks the credentials reach, read a webhook's delivery log (last attempts: status, latency,
// error) and delete it. Everything goes through the JSON API; this file builds its own panel so
// the page's HTML only carries an empty section for it.

import { ApiError, api } from "./api.js";
import { can, onSessionChange } from "./credentials.js";
import { $, dateFmt, el } from "./dom.js";

const EVENTS = ["link.created", "link.updated", "link.disabled", "link.deleted", "link.clicked"];

const NEEDS_MANAGE = "Webhooks need an API key with the manage scope (or the admin token): sign in with one.";

function errorText(err) {
  if (err instanceof ApiError) return err.status === 401 || err.status === 403 ? `${err.message} ${NEEDS_MANAGE}` : err.message;
  return "Something went wrong. Please try again.";
}

/** A scrolling table with a header row of `headers` over `body` (its tbody). */
function gridTable(headers, body) {
  return el(
    "div",
    { class: "table-wrap" },
    el("table", { class: "grid-table" }, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col", text: h })))), body),
  );
}

export function createWebhooksTab() {
  const panel = $("panel-webhooks");
  const alert = el("div", { class: "alert alert--error", role: "alert", hidden: true });
  const secretBox = el("div", { class: "result", hidden: true, id: "webhook-secret" });
  const rows = el("tbody", { id: "webhook-rows" });
  const empty = el("p", { class: "empty", text: "No webhooks yet." });
  const logTitle = el("h2", { class: "card__title", text: "Deliveries" });
  const logNote = el("p", { class: "hint" });
  const logRows = el("tbody", { id: "webhook-log-rows" });
  const logCard = el(
    "section",
    { class: "card", hidden: true, "aria-live": "polite" },
    logTitle,
    logNote,
    gridTable(["Time", "Event", "Code", "Try", "Status", "Latency", "Outcome", "Error"], logRows),
  );

  const url = el("input", { id: "webhook-url", type: "url", required: true, placeholder: "https://hooks.example/ringlink", spellcheck: "false" });
  const sample = el("input", { id: "webhook-sample", type: "number", min: "0.001", max: "1", step: "any", value: "1" });
  const boxes = EVENTS.map((name) => el("input", { type: "checkbox", value: name, id: `webhook-ev-${name}`, checked: name !== "link.clicked" }));
  const form = el(
    "form",
    { class: "shorten-form", id: "webhook-form" },
    el(
      "div",
      { class: "field field--url" },
      el("label", { for: "webhook-url", text: "Receiver URL" }),
      el("div", { class: "url-row" }, url, el("button", { class: "btn btn--primary", type: "submit", text: "Add webhook" })),
    ),
    el("fieldset", { class: "options" }, el("legend", { text: "Events" }), ...boxes.map((box) => el("label", { for: box.id }, box, ` ${box.value}`))),
    el(
      "div",
      { class: "field" },
      el("label", { for: "webhook-sample", text: "Share of link.clicked delivered" }),
      sample,
      el("p", { class: "hint", text: "0 < r ≤ 1; 1 sends every click." }),
    ),
    alert,
  );
  const needsKey = el("p", { class: "empty", id: "webhook-needs-key", text: NEEDS_MANAGE, hidden: true });

  panel.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "webhooks-title" },
      el("h2", { class: "card__title", id: "webhooks-title", text: "Add a webhook" }),
      form,
      secretBox,
    ),
    el(
      "section",
      { class: "card", "aria-labelledby": "webhooks-list-title" },
      el("h2", { class: "card__title", id: "webhooks-list-title", text: "Webhooks" }),
      gridTable(["URL", "Events", "Clicks", "Created", ""], rows),
      empty,
    ),
    logCard,
  );
  panel.prepend(needsKey);
  const cards = [...panel.querySelectorAll("section.card")];

  const showError = (err) => {
    alert.textContent = errorText(err);
    alert.hidden = false;
  };

  async function showLog(hook) {
    logCard.hidden = false;
    logTitle.textContent = `Deliveries to ${hook.url}`;
    try {
      const { data } = await api(`/api/v1/webhooks/${encodeURIComponent(hook.id)}/deliveries`);
      logNote.textContent = `${data.pending} waiting; the last ${data.attempts.length} attempts, newest first.`;
      logRows.replaceChildren(
        ...data.attempts.map((a) =>
          el(
            "tr",
            { dataset: { outcome: a.outcome } },
            el("td", { text: dateFmt.format(new Date(a.at)) }),
            el("td", { text: a.type }),
            el("td", { text: a.code }),
            el("td", { class: "num", text: a.attempt }),
            el("td", { class: "num", text: a.status ?? "—" }),
            el("td", { class: "num", text: `${Math.round(a.latencyMs)} ms` }),
            el("td", { text: a.outcome }),
            el("td", { class: "truncate", text: a.error ?? "" }),
          ),
        ),
      );
    } catch (err) {
      logNote.textContent = errorText(err);
      logRows.replaceChildren();
    }
  }

  async function refresh() {
    try {
      const { data } = await api("/api/v1/webhooks");
      alert.hidden = true;
      empty.hidden = data.items.length > 0;
      rows.replaceChildren(
        ...data.items.map((hook) => {
          const log = el("button", { class: "btn btn--small btn--ghost", type: "button", text: "Deliveries" });
          log.addEventListener("click", () => showLog(hook));
          const remove = el("button", { class: "btn btn--small btn--ghost", type: "button", text: "Delete" });
          remove.addEventListener("click", async () => {
            if (!confirm(`Delete the webhook to ${hook.url}? Its pending deliveries are dropped.`)) return;
            try {
              await api(`/api/v1/webhooks/${encodeURIComponent(hook.id)}`, { method: "DELETE" }).catch((err) => {
                // 204 has no JSON body: the client reports it as an unexpected answer.
                if (!(err instanceof ApiError && err.code === "invalid_response")) throw err;
              });
              logCard.hidden = true;
              await refresh();
            } catch (err) {
              showError(err);
            }
          });
          return el(
            "tr",
            { dataset: { id: hook.id } },
            el("td", { class: "truncate", text: hook.url }),
            el("td", { text: hook.events.join(", ") }),
            el("td", { class: "num", text: hook.events.includes("link.clicked") ? hook.clickSample : "—" }),
            el("td", { text: dateFmt.format(new Date(hook.createdAt)) }),
            el("td", {}, log, " ", remove),
          );
        }),
      );
    } catch (err) {
      rows.replaceChildren();
      empty.hidden = false;
      showError(err);
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    alert.hidden = true;
    const events = boxes.filter((b) => b.checked).map((b) => b.value);
    const body = { url: url.value.trim(), events };
    if (events.includes("link.clicked")) body.clickSample = Number(sample.value);
    try {
      const { data } = await api("/api/v1/webhooks", { method: "POST", body });
      secretBox.replaceChildren(
        el("h3", { class: "result__title", text: "Webhook added. Its signing secret, shown only now:" }),
        el("code", { class: "result__short", id: "webhook-secret-value", text: data.secret }),
        el("p", { class: "hint", text: "Verify each delivery's webhook-signature with it (README, Webhooks)." }),
      );
      secretBox.hidden = false;
      url.value = "";
      await refresh();
    } catch (err) {
      showError(err);
    }
  });

  /** What the signed-in key may not do is not offered: without manage the tab only says what it needs. */
  function show() {
    const allowed = can("manage");
    needsKey.hidden = allowed;
    for (const card of cards) card.hidden = !allowed || (card === logCard && logRows.childElementCount === 0);
    if (allowed) void refresh();
  }

  let loaded = false;
  // A sign-in, sign-out or ended session changes what the tab may show.
  onSessionChange(() => {
    logRows.replaceChildren();
    secretBox.hidden = true;
    if (loaded) show();
  });
  return {
    redraw() {
      // Read when the tab is first opened, not on every page load.
      if (!loaded) show();
      loaded = true;
    },
  };
}
