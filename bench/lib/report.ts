/** Turns bench results into the markdown table and the SVG chart the README shows. */
export interface ScenarioResult {
  target: string; // "baseline" | "embedded" | "distributed"
  scenario: string;
  load: "closed" | "rate";
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  errors: number;
  non3xx: number;
  rssMb: number | null;
  ratioToBaseline: number | null;
  /** server CPU (user + system, all its processes) over the run per answered request, µs */
  cpuMicrosPerRequest?: number | null;
  /** the baseline's, same load kind, measured in the same run */
  baselineCpuMicrosPerRequest?: number | null;
  /** redirect runs: human clicks recorded over the run against the 3xx answers received */
  clickCheck?: { expected: number; recorded: number; ok: boolean } | null;
}

/** "ok 123456" when the clicks recorded equal the 3xx answers, else "FAIL 123400 ≠ 123456"; "–" when not a redirect run. */
export function clickCell(check: ScenarioResult["clickCheck"]): string {
  if (!check) return "–";
  return check.ok ? `ok ${check.expected}` : `FAIL ${check.recorded} ≠ ${check.expected}`;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

export function markdownTable(results: ScenarioResult[]): string {
  const head =
    "| target | scenario | load | req/s | ratio to baseline | CPU µs/req | baseline CPU µs/req | p50 ms | p90 ms | p99 ms | p99.9 ms | errors | unexpected status | max RSS MB | clicks recorded = 3xx |";
  const rule = "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
  const opt = (n: number | null | undefined) => (n === null || n === undefined ? "–" : fmt(n));
  const rows = results.map(
    (r) =>
      `| ${r.target} | ${r.scenario} | ${r.load} | ${Math.round(r.requestsPerSecond)} | ${r.ratioToBaseline === null ? "–" : fmt(r.ratioToBaseline)} | ${opt(r.cpuMicrosPerRequest)} | ${opt(r.baselineCpuMicrosPerRequest)} | ${fmt(r.p50Ms)} | ${fmt(r.p90Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.p999Ms)} | ${r.errors} | ${r.non3xx} | ${r.rssMb === null ? "–" : Math.round(r.rssMb)} | ${clickCell(r.clickCheck)} |`,
  );
  return [head, rule, ...rows].join("\n");
}

const COLORS: Record<string, string> = { baseline: "#9ca3af", embedded: "#4f46e5", distributed: "#0d9488" };
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** Horizontal bars of closed-loop req/s per scenario, one colour per target, baseline for scale. */
export function svgChart(results: ScenarioResult[], title: string): string {
  const rows = results.filter((r) => r.load === "closed");
  const max = Math.max(1, ...rows.map((r) => r.requestsPerSecond));
  const barH = 18;
  const gap = 6;
  const left = 250;
  const width = 860;
  const plot = width - left - 110;
  const top = 48;
  const height = top + rows.length * (barH + gap) + 40;
  const bars = rows
    .map((r, i) => {
      const y = top + i * (barH + gap);
      const w = Math.max(1, (r.requestsPerSecond / max) * plot);
      const label = `${r.target} · ${r.scenario}`;
      const value = `${Math.round(r.requestsPerSecond).toLocaleString("en-US")} req/s${r.ratioToBaseline !== null ? ` (${fmt(r.ratioToBaseline)}×)` : ""}`;
      return `<text x="${left - 8}" y="${y + 13}" text-anchor="end" class="l">${esc(label)}</text>
<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" rx="3" fill="${COLORS[r.target] ?? "#6b7280"}"/>
<text x="${left + w + 6}" y="${y + 13}" class="v">${esc(value)}</text>`;
    })
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">
<style>.t{font-size:16px;font-weight:600;fill:#111827}.l{font-size:12px;fill:#374151}.v{font-size:11px;fill:#111827}.s{font-size:11px;fill:#6b7280}</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="26" class="t">${esc(title)}</text>
${bars}
<text x="16" y="${height - 14}" class="s">closed-loop throughput; ratio = req/s ÷ bare Bun.serve baseline measured in the same run</text>
</svg>
`;
}
