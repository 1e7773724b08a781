// The History tab: req/s since the page opened (up to 15 minutes), one row per minute with its
// totals, and the connection's own history. All of it lives in this page only and is bounded.

import { TimeChart, SERIES_COLORS } from "./charts.js";
import { $, clockTime, count, el, minuteTime, ms, percent, rate } from "./dom.js";

const TICKS_KEPT = 900;
const MINUTES_KEPT = 60;
const CONNLOG_KEPT = 50;

export function createHistoryTab({ stream }) {
  const ticks = [];
  const minutes = new Map(); // minute start -> rollup, oldest first
  const chart = new TimeChart($("chart-history"), {
    series: [{ key: "rps", label: "req/s", color: SERIES_COLORS.a }],
    describe: (p) => `Requests per second since the page opened; latest ${rate(p.rps)}`,
  });

  function roll(t) {
    const minute = Math.floor(t.t / 60_000) * 60_000;
    let m = minutes.get(minute);
    if (!m) {
      m = { minute, requests: 0, seconds: 0, peak: 0, p99: null, hits: 0, misses: 0, writes: 0, errors: 0 };
      minutes.set(minute, m);
      while (minutes.size > MINUTES_KEPT) minutes.delete(minutes.keys().next().value);
    }
    m.requests += t.requests;
    m.seconds++;
    m.peak = Math.max(m.peak, t.rps);
    if (t.p99_ms !== null) m.p99 = Math.max(m.p99 ?? 0, t.p99_ms);
    m.hits += t.hits;
    m.misses += t.misses;
    m.writes += t.writes;
    m.errors += t.errors;
  }

  function add(t) {
    const last = ticks[ticks.length - 1];
    if (last && t.t <= last.t) return;
    ticks.push(t);
    if (ticks.length > TICKS_KEPT) ticks.splice(0, ticks.length - TICKS_KEPT);
    roll(t);
  }

  function render() {
    chart.setData(ticks);
    const rows = [...minutes.values()]
      .reverse()
      .map((m) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: minuteTime(m.minute) }),
          el("td", { class: "num", "data-label": "Redirects", text: count(m.requests) }),
          el("td", { class: "num", "data-label": "Avg req/s", text: rate(m.requests / Math.max(1, m.seconds)) }),
          el("td", { class: "num", "data-label": "Peak req/s", text: rate(m.peak) }),
          el("td", { class: "num", "data-label": "Worst p99", text: m.p99 === null ? "—" : `${ms(m.p99)} ms` }),
          el("td", { class: "num", "data-label": "Hit rate", text: percent(m.hits + m.misses ? m.hits / (m.hits + m.misses) : null) }),
          el("td", { class: "num", "data-label": "Created", text: count(m.writes) }),
          el("td", { class: "num", "data-label": "Errors", text: count(m.errors) }),
        ),
      );
    $("minutes-rows").replaceChildren(...rows);
    $("minutes-empty").hidden = rows.length > 0;
  }

  const log = $("connlog");
  function note(text) {
    log.prepend(el("li", {}, el("time", { text: clockTime(Date.now()) }), " ", el("span", { class: "connlog__text", text })));
    while (log.childElementCount > CONNLOG_KEPT) log.lastElementChild.remove();
  }

  let lastState = "";
  stream
    .on("snapshot", (s) => {
      for (const t of s.history) add(t);
      note(`snapshot from ${s.node}: ${s.nodes.length} process${s.nodes.length === 1 ? "" : "es"}, ${s.events.length} recent events`);
      render();
    })
    .on("tick", (f) => {
      add(f.tick);
      render();
    })
    .on("dropped", (f) => note(`this page fell behind: the server dropped ${count(f.total)} frame${f.total === 1 ? "" : "s"} for it`))
    .on("state", ({ state, retryAt, reason }) => {
      if (state === lastState) return;
      lastState = state;
      if (state === "live") note("connected");
      else if (state === "waiting")
        note(`disconnected${reason ? ` (${reason})` : ""}; retrying in ${Math.max(1, Math.round((retryAt - Date.now()) / 1000))} s`);
      else if (state === "offline") note("offline; waiting for the network");
    });

  return { redraw: () => chart.schedule() };
}
