// ringlink dashboard — plain ES modules, no build step. This file wires the tabs to the live
// stream (GET /ws) and keeps the address (#dashboard, #links, #analytics/<code>, ...) in step
// with the selected tab, so reloads, the back button and shared links land on the same view.

import { createAnalyticsTab } from "./analytics-tab.js";
import { createDashboardTab } from "./dashboard-tab.js";
import { $ } from "./dom.js";
import { createHistoryTab } from "./history-tab.js";
import { createLinksTab } from "./links-tab.js";
import { LiveStream } from "./live.js";
import { createNodesTab } from "./nodes-tab.js";
import { createWebhooksTab } from "./webhooks-tab.js";

const TABS = ["dashboard", "links", "analytics", "nodes", "history", "webhooks"];

const stream = new LiveStream("/ws");

// ---------------------------------------------------------------------------
// Connection state

const conn = $("conn");
const connText = $("conn-text");
let countdown = 0;
stream.on("state", ({ state, retryAt }) => {
  clearInterval(countdown);
  conn.dataset.state = state;
  const say = (text) => {
    connText.textContent = text;
    conn.title = `Live stream: ${text}`;
  };
  if (state === "live") say("Live");
  else if (state === "connecting") say("Connecting…");
  else if (state === "reconnecting") say("Reconnecting…");
  else if (state === "offline") say("Offline");
  else if (state === "waiting") {
    const tick = () => say(`Reconnecting in ${Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))} s`);
    tick();
    countdown = setInterval(tick, 1000);
  }
});

// Which process serves this page's socket (shown as a tooltip, used by the browser test).
stream.on("snapshot", (s) => {
  conn.dataset.node = s.node;
  conn.title = `Live stream from ${s.node}`;
});

// ---------------------------------------------------------------------------
// Tabs

const dashboard = createDashboardTab(stream);
const analytics = createAnalyticsTab({ stream });
const historyTab = createHistoryTab({ stream });
createNodesTab({ stream });
const webhooksTab = createWebhooksTab();
const redraw = { dashboard: dashboard.redraw, analytics: analytics.redraw, history: historyTab.redraw, webhooks: webhooksTab.redraw };

function showTab(name, { focus = false } = {}) {
  if (!TABS.includes(name)) name = "dashboard";
  for (const tab of TABS) {
    const selected = tab === name;
    const button = $(`tab-${tab}`);
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`panel-${tab}`).classList.toggle("is-active", selected);
  }
  if (focus) $(`tab-${name}`).focus();
  redraw[name]?.();
}

/** Only a well-formed code is taken from the address: the page repeats it in its messages. */
const CODE = /^[A-Za-z0-9_-]{3,64}$/;

function route() {
  const [name, arg] = location.hash.replace(/^#/, "").split("/");
  showTab(name || "dashboard");
  if (name === "analytics" && arg && CODE.test(arg)) analytics.show(arg);
}

const tablist = document.querySelector(".tabs");
tablist.addEventListener("click", (e) => {
  const tab = e.target.closest('[role="tab"]');
  if (!tab) return;
  e.preventDefault();
  const name = tab.id.replace("tab-", "");
  // The Analytics tab keeps the link it shows in the address.
  const hash = name === "analytics" && location.hash.startsWith("#analytics/") ? location.hash : `#${name}`;
  if (location.hash !== hash) history.pushState(null, "", hash);
  showTab(name);
});
// Arrow keys move between tabs (the WAI-ARIA tabs pattern).
tablist.addEventListener("keydown", (e) => {
  const current = TABS.findIndex((t) => $(`tab-${t}`).getAttribute("aria-selected") === "true");
  const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
  if (!step && e.key !== "Home" && e.key !== "End") return;
  e.preventDefault();
  const next = e.key === "Home" ? 0 : e.key === "End" ? TABS.length - 1 : (current + step + TABS.length) % TABS.length;
  history.replaceState(null, "", `#${TABS[next]}`);
  showTab(TABS[next], { focus: true });
});
addEventListener("hashchange", route);
addEventListener("popstate", route);

route();
// After route(): a form posted without JavaScript lands on /?created=<code>, which opens the Links tab.
createLinksTab({ stream, showTab, codesChanged: (codes) => analytics.setCodes(codes) });
stream.connect();
