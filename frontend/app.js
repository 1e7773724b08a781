// ringlink dashboard — plain ES modules, no build step. This file wires the tabs to the live
// stream (GET /ws) and keeps the address (#dashboard, #links, #analytics/[<domain>/]<code>, ...) in step
// with the selected tab, so reloads, the back button and shared links land on the same view.
// It asks the server first who this page is (credentials.js): on a server that needs a key and
// without a session, only the sign-in card shows until someone signs in.

import { createAnalyticsTab } from "./analytics-tab.js";
import { currentSession, loadSession, onSessionChange, sessionEnded } from "./credentials.js";
import { createDashboardTab } from "./dashboard-tab.js";
import { $ } from "./dom.js";
import { createHistoryTab } from "./history-tab.js";
import { createLinkDetail } from "./link-detail.js";
import { createLinksTab } from "./links-tab.js";
import { LiveStream } from "./live.js";
import { createNodesTab } from "./nodes-tab.js";
import { createSignIn } from "./signin.js";
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
  else if (state === "signed-out") say("Signed out");
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

// The server closed the stream because the session's key was revoked or the session expired.
stream.on("ended", ({ reason }) => sessionEnded(reason || "the key of this session was revoked or the session expired"));

const dashboard = createDashboardTab(stream);
const detail = createLinkDetail();
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

/** Only a well-formed code and domain are taken from the address: the page repeats them in its messages. */
const CODE = /^[A-Za-z0-9_-]{3,64}$/;
const HOST = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

/** `#analytics/<code>`, `#analytics/<domain>/<code>` (also with the slash encoded, as the live feed links it). */
function linkOfAddress(rest) {
  let target;
  try {
    target = decodeURIComponent(rest.join("/"));
  } catch {
    return null;
  }
  const slash = target.lastIndexOf("/");
  const code = target.slice(slash + 1);
  const domain = slash === -1 ? null : target.slice(0, slash).toLowerCase();
  return CODE.test(code) && (domain === null || HOST.test(domain)) ? { code, domain } : null;
}

const gated = () => currentSession().signInRequired && !currentSession().signedIn;

function route() {
  const [name, ...rest] = location.hash.replace(/^#/, "").split("/");
  showTab(name || "dashboard");
  if (gated()) return;
  if (name === "analytics") {
    const link = rest.length > 0 ? linkOfAddress(rest) : null;
    detail.show(link?.code ?? null, link?.domain ?? null);
    if (link) analytics.show(link.code, undefined, link.domain);
  }
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

let links = null;
/** Runs once the page may use the API: at load on an open server or with a session, else after sign-in. */
function start() {
  route();
  // After route(): a form posted without JavaScript lands on /?created=<code>, which opens the Links tab.
  if (links === null) links = createLinksTab({ stream, showTab, codesChanged: (codes) => analytics.setCodes(codes) });
  else links.refresh();
  stream.connect();
}

onSessionChange(() => {
  if (gated()) stream.stop();
});
createSignIn({ signedIn: start });
showTab(location.hash.replace(/^#/, "").split("/")[0] || "dashboard");
loadSession().then(() => {
  if (!gated()) start();
});
