/**
 * prom-client metrics whose values live elsewhere (a consumer's stats object) and are read when
 * /metrics is scraped, so the code that counts keeps plain numbers. Used by the workers' /metrics.
 */
import { Counter, Gauge, type Registry } from "prom-client";

export interface ScrapedMetric {
  name: string;
  help: string;
  /** one unlabelled value, or one value per label value (`label` names the label) */
  read: () => number | Readonly<Record<string, number>>;
  label?: string;
}

export function scrapedCounter(registry: Registry, metric: ScrapedMetric): void {
  const { name, help, read, label } = metric;
  new Counter({
    name,
    help,
    labelNames: label === undefined ? [] : [label],
    registers: [registry],
    collect() {
      this.reset();
      const value = read();
      if (typeof value === "number") this.inc(value);
      else for (const [key, n] of Object.entries(value)) this.inc({ [label ?? "value"]: key }, n);
    },
  });
}

export function scrapedGauge(registry: Registry, metric: ScrapedMetric): void {
  const { name, help, read, label } = metric;
  new Gauge({
    name,
    help,
    labelNames: label === undefined ? [] : [label],
    registers: [registry],
    collect() {
      this.reset();
      const value = read();
      if (typeof value === "number") this.set(value);
      else for (const [key, n] of Object.entries(value)) this.set({ [label ?? "value"]: key }, n);
    },
  });
}
