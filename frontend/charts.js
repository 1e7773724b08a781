// A small canvas time-series chart: a few series over time, drawn at most once per frame.
// Canvas instead of SVG/DOM so a chart redrawn every second costs no DOM nodes; the <canvas> has
// role="img" and its aria-label carries the latest values for screen readers.

const css = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** "Nice" y axis: top = 1, 2, 2.5 or 5 times a power of ten, cut into steps that are round too. */
function niceScale(value) {
  if (!(value > 0)) return { top: 1, steps: 4 };
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (value <= m * exp) return { top: m * exp, steps: m === 2.5 || m === 5 ? 5 : 4 };
  return { top: 10 * exp, steps: 4 };
}

function label(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(value >= 1e7 ? 0 : 1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e4 ? 0 : 1)}k`;
  if (value >= 10 || value === 0) return String(Math.round(value));
  if (value >= 1) return value.toFixed(1);
  return String(Number(value.toPrecision(2)));
}

export class TimeChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{ series: Array<{ key: string, label: string, color: string }>, spanMs?: number, bars?: boolean, describe?: (last: object) => string }} options
   */
  constructor(canvas, options) {
    this.canvas = canvas;
    this.options = options;
    this.points = [];
    this.frame = 0;
    this.cssHeight = Number(canvas.getAttribute("height")) || 180;
    const observer = new ResizeObserver(() => this.schedule());
    observer.observe(canvas);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.schedule());
  }

  /** points: [{ t: epoch ms, [key]: number | null }], oldest first */
  setData(points) {
    this.points = points;
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    const { canvas, options } = this;
    const width = canvas.clientWidth;
    if (width === 0) return; // hidden tab: drawn when it shows (the ResizeObserver fires)
    const height = this.cssHeight;
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const muted = css("--muted", "#5d6677");
    const grid = css("--border", "#e1e4ea");
    const pad = { left: 44, right: 8, top: 8, bottom: 20 };
    const plotW = Math.max(10, width - pad.left - pad.right);
    const plotH = Math.max(10, height - pad.top - pad.bottom);
    const pts = this.points;
    const end = pts.length ? pts[pts.length - 1].t : Date.now();
    const span = options.spanMs ?? (pts.length > 1 ? end - pts[0].t : 60_000);
    const start = end - span;
    let max = 0;
    for (const p of pts) for (const s of options.series) if (p.t >= start && Number.isFinite(p[s.key])) max = Math.max(max, p[s.key]);
    const { top, steps } = niceScale(max * 1.1);
    const x = (t) => pad.left + ((t - start) / (span || 1)) * plotW;
    const y = (v) => pad.top + plotH - (v / top) * plotH;

    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = muted;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    for (let i = 0; i <= steps; i++) {
      const v = (top / steps) * i;
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, yy);
      ctx.lineTo(pad.left + plotW, yy);
      ctx.stroke();
      ctx.fillText(label(v), pad.left - 6, yy);
    }
    ctx.textBaseline = "top";
    const ticks = Math.max(2, Math.min(6, Math.floor(plotW / 90)));
    for (let i = 0; i <= ticks; i++) {
      // The outer labels hug the plot's edges so they are never cut off.
      ctx.textAlign = i === 0 ? "left" : i === ticks ? "right" : "center";
      const t = start + (span / ticks) * i;
      const d = new Date(t);
      const text =
        span > 2 * 86_400_000
          ? `${d.getMonth() + 1}/${d.getDate()}`
          : span > 3_600_000 * 3
            ? `${String(d.getHours()).padStart(2, "0")}:00`
            : `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}${span <= 300_000 ? `:${String(d.getSeconds()).padStart(2, "0")}` : ""}`;
      ctx.fillText(text, x(t), pad.top + plotH + 5);
    }

    const visible = pts.filter((p) => p.t >= start - 1);
    if (options.bars) {
      const n = options.series.length;
      const slot = visible.length > 1 ? plotW / visible.length : plotW;
      const bw = Math.max(1, (slot * 0.8) / n);
      visible.forEach((p, i) => {
        options.series.forEach((s, k) => {
          const v = p[s.key];
          if (!Number.isFinite(v) || v <= 0) return;
          ctx.fillStyle = s.color;
          const left = pad.left + i * slot + slot * 0.1 + k * bw;
          ctx.fillRect(left, y(v), bw, pad.top + plotH - y(v));
        });
      });
    } else {
      for (const s of options.series) {
        ctx.strokeStyle = s.color;
        ctx.fillStyle = s.color;
        ctx.lineWidth = 2;
        ctx.lineJoin = "round";
        ctx.beginPath();
        visible.forEach((p, i) => {
          const v = p[s.key];
          if (!Number.isFinite(v)) return;
          const before = Number.isFinite(visible[i - 1]?.[s.key]);
          const after = Number.isFinite(visible[i + 1]?.[s.key]);
          if (before) ctx.lineTo(x(p.t), y(v));
          else ctx.moveTo(x(p.t), y(v));
          // A value with no neighbours (latency of a lone busy second) would draw nothing: dot it.
          if (!before && !after) ctx.fillRect(x(p.t) - 2, y(v) - 2, 4, 4);
        });
        ctx.stroke();
      }
    }
    const last = pts[pts.length - 1];
    if (last && options.describe) canvas.setAttribute("aria-label", options.describe(last));
  }
}

export const SERIES_COLORS = { a: "#6366f1", b: "#f59e0b" };
