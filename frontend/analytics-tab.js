// The Analytics tab: one link's clicks from GET /api/v1/links/:code/stats (totals, a time series,
// top referrers, browsers, OS, devices and countries). While it is open, clicks on that link in the
// live stream trigger a refresh (coalesced), so the numbers move as people follow it.

import { ApiError, api } from "./api.js";
import { TimeChart, SERIES_COLORS } from "./charts.js";
import { $, count, el, renderBars } from "./dom.js";
import { analyticsHref, linkKey, linkPath } from "./link-actions.js";

/** What the code box may hold: a code, or `domain/code` for a link off the default domain. */
function parseTarget(raw) {
  const slash = raw.lastIndexOf("/");
  return slash === -1 ? { code: raw, domain: null } : { code: raw.slice(slash + 1), domain: raw.slice(0, slash) };
}

const SPAN_MS = { minute: 3_600_000, hour: 86_400_000, day: 30 * 86_400_000 };

export function createAnalyticsTab({ stream }) {
  const form = $("stats-form");
  const codeInput = $("stats-code");
  const rangeSelect = $("stats-range");
  const stateEl = $("stats-state");
  const body = $("stats-body");
  const chart = new TimeChart($("chart-clicks"), {
    series: [
      { key: "human", label: "people", color: SERIES_COLORS.a },
      { key: "bot", label: "bots", color: SERIES_COLORS.b },
    ],
    bars: true,
    describe: (p) => `Clicks over time; last bucket ${p.human} by people, ${p.bot} by bots`,
  });
  let current = null; // { code, domain, interval }
  let controller = null;
  let refreshTimer = 0;

  function setState(text, kind = "info") {
    stateEl.textContent = text;
    stateEl.dataset.kind = kind;
    stateEl.hidden = text === "";
  }

  function emptyState(err, code) {
    if (err instanceof ApiError && err.status === 404 && /^no route/i.test(err.message)) {
      return "Click statistics are not available on this server yet (the stats API answered “no route”).";
    }
    if (err instanceof ApiError && err.status === 404) return `There is no link with the code “${code}”.`;
    if (err instanceof ApiError && err.status === 410) return `The link “${code}” is no longer available (${err.code.replaceAll("_", " ")}).`;
    if (err instanceof ApiError) return err.message;
    return "Something went wrong while loading the statistics.";
  }

  async function load({ quiet = false } = {}) {
    if (!current) return;
    const { interval } = current;
    const code = linkKey(current);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    if (!quiet) setState(`Loading clicks of “${code}”…`);
    try {
      const { data } = await api(linkPath(current, "/stats", { interval, top: "8" }), { signal: mine.signal });
      if (mine !== controller) return;
      render(data);
    } catch (err) {
      if (err && err.name === "AbortError") return;
      body.hidden = true;
      setState(emptyState(err, code), "empty");
    }
  }

  function render(data) {
    const totals = data.totals ?? {};
    $("stats-clicks").textContent = count(totals.clicks ?? 0);
    $("stats-human").textContent = count(totals.human ?? 0);
    $("stats-bot").textContent = count(totals.bot ?? 0);
    $("stats-unique").textContent = count(totals.unique ?? 0);
    const series = Array.isArray(data.series) ? data.series.map((b) => ({ t: Date.parse(b.t), human: b.human ?? 0, bot: b.bot ?? 0 })) : [];
    const top = data.top ?? {};
    const entries = (list) => (Array.isArray(list) ? list.map((x) => ({ label: String(x.value), count: Number(x.clicks) || 0 })) : []);
    renderBars($("top-referrers"), entries(top.referrers), { emptyText: "No clicks by people yet." });
    renderBars($("top-browsers"), entries(top.browsers), { emptyText: "—" });
    renderBars($("top-os"), entries(top.os), { emptyText: "—" });
    renderBars($("top-devices"), entries(top.devices), { emptyText: "—" });
    renderBars($("top-countries"), entries(top.countries), { emptyText: "—" });
    body.hidden = false;
    const to = Date.parse(data.to);
    chart.options.spanMs = Number.isFinite(to) && series.length ? to - series[0].t : (SPAN_MS[data.interval] ?? SPAN_MS.hour);
    chart.setData(series);
    setState(totals.clicks ? "" : `No clicks on “${linkKey(current ?? data)}” in this range yet.`, "empty");
  }

  /** Shows a link's statistics (from the form, or from a #analytics/[<domain>/]<code> address). */
  function show(code, interval = rangeSelect.value, domain = null) {
    if (!code) {
      current = null;
      body.hidden = true;
      setState("Pick a link to see its clicks.");
      return;
    }
    current = { code, domain, interval };
    codeInput.value = linkKey(current);
    rangeSelect.value = interval;
    load();
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const raw = codeInput.value.trim();
    if (!raw) return;
    const target = parseTarget(raw);
    if (!target.code) return;
    // The address carries the link, so a reload or a shared URL shows the same one.
    const href = analyticsHref(target);
    if (location.hash !== href) history.replaceState(null, "", href);
    show(target.code, rangeSelect.value, target.domain);
  });
  rangeSelect.addEventListener("change", () => {
    if (current) show(current.code, rangeSelect.value, current.domain);
  });

  stream.on("events", (f) => {
    if (!current || refreshTimer) return;
    const key = linkKey(current);
    if (!f.events.some((e) => e.type === "read" && e.short_code === key)) return;
    // Clicks reach the aggregates within a second or two; one refresh covers a burst.
    refreshTimer = setTimeout(() => {
      refreshTimer = 0;
      load({ quiet: true });
    }, 2_000);
  });

  return {
    show,
    setCodes(codes) {
      const list = $("stats-codes");
      list.replaceChildren(...codes.slice(0, 50).map((c) => el("option", { value: c })));
    },
    redraw: () => chart.schedule(),
  };
}
