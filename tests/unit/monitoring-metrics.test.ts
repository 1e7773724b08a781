/**
 * monitoring/: the Grafana dashboards load (the shape file provisioning needs, one data source by
 * uid, panels on the grid), the provisioning and Prometheus files agree on paths and names, and every
 * ringlink metric a dashboard or an alert rule names exists in the /metrics of a running server.
 * The analytics worker's metrics are checked against a running worker in
 * tests/integration/realtime-cluster.test.ts (it needs Kafka).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createRuntime, type Runtime } from "../../src/runtime";
import { startHttpServer } from "../../src/server/http-server";

const MONITORING = join(import.meta.dir, "../../monitoring");
const DASHBOARDS = join(MONITORING, "grafana/dashboards");
const yaml = (path: string) => Bun.YAML.parse(readFileSync(join(MONITORING, path), "utf8")) as any;

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }>;
}

const dashboards = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DASHBOARDS, f), "utf8")) }));
const alertRules = yaml("prometheus/alerts.yml").groups.flatMap((g: { rules: unknown[] }) => g.rules) as Array<{
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}>;
const datasourceUid = yaml("grafana/provisioning/datasources/prometheus.yml").datasources[0].uid as string;

/** Every PromQL expression in the dashboards (panels and variables) and the alert rules. */
function expressions(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const { file, json } of dashboards) {
    for (const p of json.panels as Panel[]) for (const t of p.targets ?? []) out.push({ where: `${file}: ${p.title}`, expr: t.expr });
    for (const v of json.templating?.list ?? []) if (v.definition) out.push({ where: `${file}: variable ${v.name}`, expr: v.definition });
  }
  for (const r of alertRules) out.push({ where: `alerts.yml: ${r.alert}`, expr: r.expr });
  return out;
}

const metricNames = (expr: string) => [...new Set(expr.match(/\bringlink_[a-z0-9_]+/g) ?? [])];

describe("Grafana dashboards", () => {
  test("are plain dashboard models that file provisioning loads as they are", () => {
    expect(dashboards.length).toBeGreaterThanOrEqual(3);
    const uids = new Set<string>();
    for (const { file, json } of dashboards) {
      const text = JSON.stringify(json);
      // An export meant for the import UI (a "dashboard" wrapper, __inputs, ${DS_...}) fails to load from a file.
      expect({ file, wrapper: "dashboard" in json, inputs: "__inputs" in json, placeholders: /\$\{DS_/.test(text) }).toEqual({
        file,
        wrapper: false,
        inputs: false,
        placeholders: false,
      });
      expect(typeof json.uid).toBe("string");
      expect(json.uid.length).toBeLessThanOrEqual(40);
      expect(uids.has(json.uid)).toBe(false);
      uids.add(json.uid);
      expect(typeof json.title).toBe("string");
      expect(typeof json.schemaVersion).toBe("number");
      expect(Array.isArray(json.panels)).toBe(true);
    }
  });

  test("every panel queries the provisioned data source and sits on the 24-column grid", () => {
    for (const { file, json } of dashboards) {
      const ids = new Set<number>();
      for (const p of json.panels as Panel[]) {
        expect(ids.has(p.id)).toBe(false);
        ids.add(p.id);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        if (p.type === "row") continue;
        expect({ file, panel: p.title, uid: p.datasource?.uid }).toEqual({ file, panel: p.title, uid: datasourceUid });
        expect((p.targets ?? []).length).toBeGreaterThan(0);
        for (const t of p.targets!) {
          expect(t.expr.trim().length).toBeGreaterThan(0);
          expect(t.datasource?.uid).toBe(datasourceUid);
        }
      }
      for (const v of json.templating?.list ?? []) if (v.datasource) expect(v.datasource.uid).toBe(datasourceUid);
    }
  });
});

describe("provisioning and Prometheus configuration", () => {
  test("the dashboard provider reads the folder docker-compose mounts the dashboards into", () => {
    const provider = yaml("grafana/provisioning/dashboards/ringlink.yml").providers[0];
    const compose = yaml("docker-compose.yml");
    const mounts: string[] = compose.services.grafana.volumes;
    expect(mounts).toContain(`./grafana/dashboards:${provider.options.path}:ro`);
    expect(mounts.some((m) => m.startsWith("./grafana/provisioning:/etc/grafana/provisioning"))).toBe(true);
  });

  test("Prometheus scrapes the instances and the workers and loads the alert rules it is given", () => {
    const prom = yaml("prometheus/prometheus.yml");
    const jobs = prom.scrape_configs.map((s: { job_name: string }) => s.job_name);
    expect(jobs).toEqual(expect.arrayContaining(["ringlink", "ringlink-workers"]));
    const compose = yaml("docker-compose.yml");
    for (const file of prom.rule_files as string[]) expect(compose.services.prometheus.volumes).toContain(`./prometheus/alerts.yml:${file}:ro`);
    // Jobs the dashboards and rules name by `job=` exist.
    for (const { where, expr } of expressions()) {
      for (const [, job] of expr.matchAll(/job="([^"]+)"/g)) expect({ where, job, known: jobs.includes(job!) }).toEqual({ where, job, known: true });
    }
  });

  test("every alert rule has a severity and a summary", () => {
    expect(alertRules.length).toBeGreaterThan(5);
    for (const r of alertRules) {
      expect(["page", "warn", "info"]).toContain(r.labels.severity ?? "");
      expect((r.annotations.summary ?? "").length).toBeGreaterThan(10);
    }
  });
});

describe("metric names against a running server", () => {
  let runtime: Runtime;
  let server: Server<unknown>;
  let dataDir: string;
  let families: Map<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "ringlink-monitoring-"));
    runtime = await createRuntime(loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off", RATE_LIMIT_CREATE: "off" }));
    runtime.realtime.start();
    server = startHttpServer(buildApp(runtime), runtime, { port: 0, hostname: "127.0.0.1", reusePort: false });
    const base = `http://127.0.0.1:${server.port}`;
    // Traffic of every kind, and a dashboard client, so that labelled series exist too.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    await new Promise((resolve) => (ws.onmessage = resolve));
    const created = (await (
      await fetch(`${base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "https://example.com/monitoring" }),
      })
    ).json()) as { code: string };
    await fetch(`${base}/${created.code}`, { redirect: "manual" });
    await fetch(`${base}/nosuchcode`, { redirect: "manual" });
    await Bun.sleep(1_200);
    const text = await (await fetch(`${base}/metrics`)).text();
    ws.close();
    families = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  }, 30_000);

  afterAll(async () => {
    server?.stop(true);
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A name exists if it is a family, or a histogram's _bucket/_sum/_count series. */
  function exists(name: string): boolean {
    if (families.has(name)) return true;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    return base !== name && families.get(base) === "histogram";
  }

  test("every ringlink metric in the dashboards and alert rules is in /metrics", () => {
    const missing: string[] = [];
    let checked = 0;
    for (const { where, expr } of expressions()) {
      for (const name of metricNames(expr)) {
        if (name.startsWith("ringlink_analytics_")) continue; // the worker's, checked against a running worker
        checked++;
        if (!exists(name)) missing.push(`${name} (${where})`);
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  test("/metrics has the backend's cache hit and miss numbers, ratios included", () => {
    for (const name of [
      "ringlink_cache_hits_total",
      "ringlink_cache_misses_total",
      "ringlink_cache_lookups_total",
      "ringlink_cache_hit_ratio",
      "ringlink_cache_miss_ratio",
      "ringlink_ws_clients",
      "ringlink_ws_frames_total",
      "ringlink_breaker_state",
    ]) {
      expect(families.has(name)).toBe(true);
    }
  });
});
