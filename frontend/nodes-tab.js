// The Nodes tab: every serving process of every instance (from the relay's reports) and each
// shard's nodes (database primary/replica, Redis) with their health, breaker and share of keys.

import { $, count, duration, el, ms, percent, rate } from "./dom.js";

const BREAKER_TEXT = { closed: "breaker closed", "half-open": "breaker half-open", open: "breaker open" };

function statusPill(node) {
  if (node.status === "stale") return el("span", { class: "pill pill--bad", title: `no report for ${Math.round(node.last_seen_ms / 1000)} s`, text: "silent" });
  if (!node.ready) return el("span", { class: "pill pill--bad", text: "not ready" });
  if (node.deps_down > 0) return el("span", { class: "pill pill--warn", text: `degraded (${node.deps_down} down)` });
  return el("span", { class: "pill pill--ok", text: "ok" });
}

function dependency(d) {
  const state = !d.up ? "down" : d.breaker === "open" ? "open" : d.breaker === "half-open" ? "half-open" : "up";
  return el(
    "li",
    { class: `dep dep--${state}`, title: `${d.name}: ${d.up ? "reachable" : "unreachable"}${d.breaker ? `, ${BREAKER_TEXT[d.breaker]}` : ""}` },
    el("span", { class: "dep__dot", "aria-hidden": "true" }),
    el("span", { class: "dep__name truncate", text: d.name }),
    el("span", { class: "dep__kind", text: d.kind }),
    el("span", { class: "dep__state", text: d.up ? (d.breaker && d.breaker !== "closed" ? BREAKER_TEXT[d.breaker] : `${ms(d.latency_ms)} ms`) : "down" }),
  );
}

export function createNodesTab({ stream }) {
  const rows = $("procs-rows");
  let lastShards = null;

  function renderNodes(nodes, totals) {
    $("procs-empty").hidden = nodes.length > 0;
    $("procs-table").hidden = nodes.length === 0;
    $("procs-note").textContent = nodes.length
      ? `${nodes.length} process${nodes.length === 1 ? "" : "es"} · ${totals.instances} instance${totals.instances === 1 ? "" : "s"}`
      : "";
    rows.replaceChildren(
      ...nodes.map((n) =>
        el(
          "tr",
          { dataset: { node: n.node } },
          // The server names a process's pid to admins only.
          el(
            "th",
            { scope: "row", class: "proc" },
            el("span", { class: "proc__name", text: n.node }),
            Number.isInteger(n.pid) ? el("span", { class: "proc__pid", text: `pid ${n.pid}` }) : null,
          ),
          el("td", { "data-label": "Status" }, statusPill(n)),
          el("td", { class: "num", "data-label": "Req/s", text: rate(n.rps) }),
          el("td", { class: "num", "data-label": "p99 ms", text: ms(n.p99_ms) }),
          el("td", { class: "num", "data-label": "Redirects", text: count(n.requests) }),
          el("td", { class: "num", "data-label": "Hit rate", title: `${n.cache.hits} hits / ${n.cache.misses} misses`, text: percent(n.cache.hit_rate) }),
          el("td", { class: "num", "data-label": "Clients", text: String(n.ws_clients) }),
          el("td", { class: "num", "data-label": "Up", text: duration(n.uptime_s) }),
        ),
      ),
    );
  }

  function renderShards(view) {
    if (!view) return;
    lastShards = view;
    const t = view.topology;
    const topo = t
      ? [
          `topology v${t.version}`,
          t.moving ? `moving ${t.move_from} -> ${t.shards} shards${t.to_move ? `: ${count(t.moved ?? 0)}/${count(t.to_move)} links moved` : ""}` : null,
          t.verify_at
            ? Object.keys(t.findings).length
              ? `verify: ${Object.entries(t.findings)
                  .map(([k, n]) => `${count(n)} ${k}`)
                  .join(", ")}`
              : "verify: no findings"
            : null,
        ]
          .filter(Boolean)
          .join(" · ")
      : "";
    const keys = view.sample ? `key distribution of the newest ${count(view.sample)} links` : "";
    $("shards-note").textContent = [topo, keys].filter(Boolean).join(" · ");
    $("shards").replaceChildren(
      ...view.shards.map((s) =>
        el(
          "section",
          { class: "shard", "aria-label": `Shard ${s.shard}` },
          el("h3", { class: "shard__title", text: `Shard ${s.shard}` }),
          el(
            "div",
            { class: "shard__keys", title: `${s.keys} of the sampled links` },
            el("span", { class: "shard__share", text: view.sample ? percent(s.share) : "—" }),
            el("span", { class: "shard__count", text: `${count(s.keys)} keys` }),
            el("span", { class: "bar__track", "aria-hidden": "true" }, el("span", { class: "bar__fill", style: { width: `${(s.share * 100).toFixed(1)}%` } })),
          ),
          el("ul", { class: "deps" }, ...s.nodes.map(dependency)),
        ),
      ),
    );
    $("other-deps").replaceChildren(
      ...(view.other.length
        ? [el("h3", { class: "shard__title", text: "Other dependencies" }), el("ul", { class: "deps" }, ...view.other.map(dependency))]
        : []),
    );
  }

  stream
    .on("snapshot", (s) => {
      renderNodes(s.nodes, s.totals);
      renderShards(s.shards);
    })
    .on("tick", (f) => {
      renderNodes(f.nodes, f.totals);
      if (f.shards) renderShards(f.shards);
    });

  return { lastShards: () => lastShards };
}
