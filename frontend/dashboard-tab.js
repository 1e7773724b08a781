// The Dashboard tab: cluster KPIs, req/s and latency charts for the last two minutes, and the live
// events feed with its filters. Memory is bounded: 120 ticks, 500 events, 2,000 remembered ids,
// 200 rendered rows, whatever the rate and however long the page stays open.

import { TimeChart, SERIES_COLORS } from "./charts.js";
import { $, clockTime, count, el, ms, percent, rate } from "./dom.js";

const TICKS_KEPT = 120;
const EVENTS_KEPT = 500;
const IDS_REMEMBERED = 2_000;
const ROWS_SHOWN = 200;

export function createDashboardTab(stream) {
  const ticks = [];
  let events = []; // newest first
  const seenIds = new Set();
  let paused = false;
  let lastSampleNote = "";

  const rpsChart = new TimeChart($("chart-rps"), {
    series: [{ key: "rps", label: "req/s", color: SERIES_COLORS.a }],
    spanMs: TICKS_KEPT * 1000,
    describe: (p) => `Requests per second over the last two minutes; latest ${rate(p.rps)}`,
  });
  const latencyChart = new TimeChart($("chart-latency"), {
    series: [
      { key: "p50_ms", label: "p50", color: SERIES_COLORS.a },
      { key: "p99_ms", label: "p99", color: SERIES_COLORS.b },
    ],
    spanMs: TICKS_KEPT * 1000,
    describe: (p) => `Redirect latency; latest p50 ${ms(p.p50_ms)} ms, p99 ${ms(p.p99_ms)} ms`,
  });

  const list = $("feed-list");
  const empty = $("feed-empty");
  const note = $("feed-note");
  const filters = { type: $("f-type"), status: $("f-status"), cache: $("f-cache"), text: $("f-text") };

  // ---------------------------------------------------------------- KPIs

  function setText(id, text) {
    const node = $(id);
    if (node.textContent !== text) node.textContent = text;
  }

  // The store's total comes with the shard view, which ticks carry only when it changed.
  let linksTotal = null;

  function renderKpis(frame) {
    if (frame.shards && frame.shards.links_total !== undefined) linksTotal = frame.shards.links_total;
    const t = ticks[ticks.length - 1];
    const cache = frame.cache_metrics;
    const totals = frame.totals;
    setText("kpi-rps", t ? rate(t.rps) : "—");
    setText("kpi-rps-sub", t ? `${count(t.requests)} in the last second` : "redirects, whole cluster");
    // An idle second has no latency; the last second that had traffic (within a minute) stands in.
    const timed = [...ticks].reverse().find((x) => x.p50_ms !== null && t && t.t - x.t <= 60_000);
    setText("kpi-p50", timed ? ms(timed.p50_ms) : "—");
    setText("kpi-p99", timed ? ms(timed.p99_ms) : "—");
    // No lookups yet is not a bad hit rate: the tile says it is idle instead of showing an empty meter.
    const idle = cache.hits + cache.misses === 0;
    $("kpi-hit-card").dataset.idle = String(idle);
    setText("kpi-hit", idle ? "—" : percent(cache.hit_rate));
    setText("kpi-hit-sub", idle ? "idle: no redirects yet" : `${count(cache.hits)} hits / ${count(cache.misses)} misses`);
    $("kpi-hit-meter").style.width = `${((cache.hit_rate ?? 0) * 100).toFixed(1)}%`;
    setText("kpi-requests", count(totals.requests));
    setText("kpi-requests-sub", `${count(totals.not_found)} not found · ${count(totals.errors)} errors`);
    setText("kpi-links", linksTotal === null ? "—" : count(linksTotal));
    setText("kpi-links-sub", `${count(totals.writes)} created since start`);
    const live = frame.nodes.filter((n) => n.status === "live").length;
    setText("kpi-procs", String(live));
    setText(
      "kpi-procs-sub",
      `${totals.instances} instance${totals.instances === 1 ? "" : "s"}${live < frame.nodes.length ? ` · ${frame.nodes.length - live} silent` : ""}`,
    );
    if (t) {
      setText("kpi-events", rate(t.events_seen));
      setText("kpi-events-sub", t.events_seen > t.events_shown ? `${count(t.events_shown)} shown (sampled)` : "all shown");
    }
  }

  function renderCharts() {
    rpsChart.setData(ticks);
    latencyChart.setData(ticks);
  }

  function addTick(t) {
    const last = ticks[ticks.length - 1];
    if (last && t.t <= last.t) return; // replayed by a snapshot after a reconnect
    ticks.push(t);
    if (ticks.length > TICKS_KEPT) ticks.splice(0, ticks.length - TICKS_KEPT);
  }

  // ---------------------------------------------------------------- Events feed

  function remember(id) {
    if (seenIds.has(id)) return false;
    seenIds.add(id);
    if (seenIds.size > IDS_REMEMBERED) seenIds.delete(seenIds.values().next().value);
    return true;
  }

  function matches(e) {
    if (filters.type.value && e.type !== filters.type.value) return false;
    if (filters.status.value && e.status !== filters.status.value) return false;
    if (filters.cache.value && e.cache !== filters.cache.value) return false;
    const q = filters.text.value.trim().toLowerCase();
    if (q && !String(e.short_code).toLowerCase().includes(q) && !String(e.node).toLowerCase().includes(q)) return false;
    return true;
  }

  function row(e) {
    const write = e.type === "write";
    const code = String(e.short_code ?? "");
    const li = el("li", { class: `feed-row feed-row--${write ? "write" : "read"}`, dataset: { eventId: String(e.event_id), code, type: e.type } });
    li.append(
      el("time", { class: "feed-row__time", datetime: new Date(e.ts).toISOString(), text: clockTime(e.ts) }),
      el("span", { class: `pill pill--${write ? "write" : "read"}`, text: write ? "created" : "clicked" }),
      el("a", { class: "feed-row__code", href: `#analytics/${encodeURIComponent(code)}`, title: "Open its analytics", text: code }),
    );
    if (e.status !== "OK") li.append(el("span", { class: "pill pill--bad", text: e.status === "NOT_FOUND" ? "not found" : e.status.toLowerCase() }));
    if (!write && e.cache)
      li.append(
        el("span", {
          class: `pill pill--${e.cache === "HIT" ? "hit" : "miss"}`,
          title: `answered from ${e.source ?? "?"}`,
          text: `${e.cache.toLowerCase()} · ${e.source ?? "?"}`,
        }),
      );
    if (write && typeof e.url === "string") li.append(el("span", { class: "feed-row__url truncate", title: e.url, text: e.url }));
    li.append(
      el("span", { class: "feed-row__node", title: "process", text: String(e.node ?? "") }),
      el("span", { class: "feed-row__latency", title: "server-side latency", text: `${ms(e.latency_ms)} ms` }),
    );
    return li;
  }

  function renderFeed() {
    const rows = [];
    for (const e of events) {
      if (rows.length >= ROWS_SHOWN) break;
      if (matches(e)) rows.push(row(e));
    }
    list.replaceChildren(...rows);
    empty.hidden = rows.length > 0;
    empty.textContent = events.length === 0 ? "Waiting for events… create a link or follow one." : "No event matches the filters.";
  }

  /** New events go on top without re-rendering the rest. */
  function prepend(fresh) {
    if (paused) return;
    const rows = fresh.filter(matches).map(row);
    if (rows.length === 0) return;
    list.prepend(...rows.reverse());
    while (list.childElementCount > ROWS_SHOWN) list.lastElementChild.remove();
    empty.hidden = true;
  }

  function addEvents(incoming) {
    const fresh = [];
    for (const e of incoming) if (e && typeof e.event_id === "string" && remember(e.event_id)) fresh.push(e);
    if (fresh.length === 0) return;
    fresh.sort((a, b) => a.ts - b.ts);
    events = fresh.slice().reverse().concat(events);
    if (events.length > EVENTS_KEPT) events.length = EVENTS_KEPT;
    prepend(fresh);
  }

  function renderSampleNote(t) {
    const text =
      t && t.events_seen > t.events_shown ? `Busy: showing a sample, ${count(t.events_shown)} of ${count(t.events_seen)} events in the last second.` : "";
    if (text !== lastSampleNote) {
      note.textContent = text;
      lastSampleNote = text;
    }
  }

  for (const input of Object.values(filters)) input.addEventListener("input", renderFeed);
  $("feed-filters").addEventListener("submit", (e) => e.preventDefault());
  $("feed-pause").addEventListener("click", (e) => {
    paused = !paused;
    e.currentTarget.setAttribute("aria-pressed", String(paused));
    e.currentTarget.textContent = paused ? "Resume" : "Pause";
    if (!paused) renderFeed();
  });
  $("feed-clear").addEventListener("click", () => {
    events = [];
    renderFeed();
  });

  stream
    .on("snapshot", (s) => {
      for (const t of s.history) addTick(t);
      addEvents(s.events);
      renderKpis(s);
      renderCharts();
      if (events.length === 0) renderFeed();
    })
    .on("events", (f) => addEvents(f.events))
    .on("tick", (f) => {
      addTick(f.tick);
      renderKpis(f);
      renderCharts();
      renderSampleNote(f.tick);
    });

  renderFeed();
  return { redraw: renderCharts };
}
