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
  scraped(registry, metric, "counter");
}

export function scrapedGauge(registry: Registry, metric: ScrapedMetric): void {
  scraped(registry, metric, "gauge");
}

function scraped(registry: Registry, { name, help, read, label }: ScrapedMetric, kind: "counter" | "gauge"): void {
  const options = { name, help, labelNames: label === undefined ? [] : [label], registers: [registry] };
  const fill = (put: (value: number, labels?: Record<string, string>) => void) => {
    const value = read();
    if (typeof value === "number") put(value);
    else for (const [key, n] of Object.entries(value)) put(n, { [label ?? "value"]: key });
  };
  if (kind === "counter") {
    new Counter({
      ...options,
      collect() {
        this.reset();
        fill((n, labels) => (labels ? this.inc(labels, n) : this.inc(n)));
      },
    });
  } else {
    new Gauge({
      ...options,
      collect() {
        this.reset();
        fill((n, labels) => (labels ? this.set(labels, n) : this.set(n)));
      },
    });
  }
}
