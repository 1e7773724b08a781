/**
 * docker-compose.yml, haproxy.cfg, monitoring/prometheus.yml and src/config.ts describe one
 * deployment; these tests fail when one of them drifts from the others (a renamed service, a port
 * changed in one place, a variable config.ts no longer reads).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_VARIABLES, loadConfig } from "../../src/config";

const root = join(import.meta.dir, "../..");
const read = (f: string) => readFileSync(join(root, f), "utf8");
type Service = {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: unknown;
  volumes?: string[];
};
const compose = Bun.YAML.parse(read("docker-compose.yml")) as { services: Record<string, Service> };
const services = compose.services;
const haproxy = read("haproxy.cfg");
const prometheus = Bun.YAML.parse(read("monitoring/prometheus.yml")) as {
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
};
const ringlinkServices = Object.entries(services).filter(([, s]) => s.build !== undefined);
const servers = ringlinkServices.filter(([, s]) => s.command?.[0] === "serve");
const knownVariables = new Set(CONFIG_VARIABLES.map((v) => v.name));
const hostOf = (url: string) => new URL(url).hostname;
const targetsOf = (job: string) => prometheus.scrape_configs.find((c) => c.job_name === job)?.static_configs.flatMap((s) => s.targets) ?? [];
/** `"${NAME-default}"` values in haproxy.cfg, resolved against the haproxy service's environment. */
const haproxyValue = (name: string) => services.haproxy?.environment?.[name] ?? new RegExp(`\\$\\{${name}-([^}]*)\\}`).exec(haproxy)?.[1];

describe("deployment files agree", () => {
  test("every variable given to a ringlink container is one src/config.ts reads, and it parses", () => {
    for (const [name, svc] of ringlinkServices) {
      const env = svc.environment ?? {};
      for (const key of Object.keys(env)) expect(knownVariables.has(key) ? key : `${name}: unknown ${key}`).toBe(key);
      const config = loadConfig(env); // throws on any value config.ts would refuse
      expect(config.mode).toBe("distributed");
    }
  });

  test("database and Redis URLs point at compose services, one Redis node per shard pair", () => {
    const config = loadConfig(servers[0]![1].environment ?? {});
    expect(config.shards.length).toBe(3);
    for (const [i, shard] of config.shards.entries()) {
      expect(services[hostOf(shard.primary)]?.image).toStartWith("postgres:15");
      expect(hostOf(shard.replica)).toBe(`${hostOf(shard.primary)}-replica`);
      expect(services[hostOf(shard.replica)]?.environment?.PRIMARY_HOST).toBe(hostOf(shard.primary));
      expect(services[hostOf(config.redisNodes[i]!)]?.image).toStartWith("redis:");
    }
    expect(config.redisNodes.length).toBe(config.shards.length);
  });

  test("the broker address is the one Redpanda advertises", () => {
    const config = loadConfig(servers[0]![1].environment ?? {});
    const advertised = services.redpanda?.command?.join(" ") ?? "";
    for (const broker of config.kafkaBrokers) expect(advertised).toContain(`PLAINTEXT://${broker}`);
  });

  test("HAProxy sends traffic to every ringlink instance on the port it serves, and checks /readyz", () => {
    expect(servers.length).toBe(2);
    const backends = [haproxyValue("RINGLINK_1"), haproxyValue("RINGLINK_2")];
    for (const [name, svc] of servers) {
      const port = svc.command![svc.command!.indexOf("--port") + 1];
      expect(backends).toContain(`${name}:${port}`);
    }
    expect(haproxy).toMatch(/option httpchk GET \/readyz/);
    const bind = haproxyValue("HAPROXY_BIND")!.split(":").pop();
    expect(services.haproxy?.ports).toContain(`${bind}:${bind}`);
  });

  test("the health path HAProxy checks exists in the app", async () => {
    const { startTestApp } = await import("../support/embedded-app");
    const app = await startTestApp();
    try {
      expect((await app.request("/readyz")).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  test("Prometheus scrapes every instance and worker where it listens", () => {
    const instances = targetsOf("ringlink");
    for (const [name, svc] of servers) expect(instances).toContain(`${name}:${svc.command![svc.command!.indexOf("--port") + 1]}`);
    const workers = targetsOf("ringlink-workers");
    for (const [name, svc] of ringlinkServices.filter(([, s]) => s.command?.[0] === "worker")) {
      expect(workers).toContain(`${name}:${svc.environment?.WORKER_PORT}`);
    }
    const stats = haproxyValue("HAPROXY_STATS_BIND")!.split(":").pop();
    expect(targetsOf("haproxy")).toContain(`haproxy:${stats}`);
    expect(haproxy).toContain("prometheus-exporter");
  });

  test("every container runs a real ringlink command and every dependency is a service", () => {
    const commands = new Set(["serve", "migrate", "worker analytics", "worker classifier"]);
    for (const [, svc] of ringlinkServices) {
      const cmd = svc.command![0] === "worker" ? svc.command!.slice(0, 2).join(" ") : svc.command![0]!;
      expect(commands.has(cmd) ? cmd : `unknown command ${cmd}`).toBe(cmd);
    }
    for (const [, svc] of Object.entries(services)) {
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys((svc.depends_on as object) ?? {});
      for (const dep of deps) expect(Object.keys(services)).toContain(dep);
    }
  });

  test("files mounted into containers exist in the repository", () => {
    for (const [, svc] of Object.entries(services)) {
      for (const volume of svc.volumes ?? []) {
        const [src] = volume.split(":");
        if (src!.startsWith("./")) expect(() => readFileSync(join(root, src!))).not.toThrow(/ENOENT/);
      }
    }
  });
});
