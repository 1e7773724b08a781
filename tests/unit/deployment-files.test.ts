/**
 * docker-compose.yml, haproxy.cfg, monitoring/ (both Prometheus configs, Grafana's provisioning,
 * monitoring/docker-compose.yml), the README and src/config.ts describe one deployment; these tests
 * fail when one of them drifts from the others (a renamed service, a port changed in one place, a
 * variable config.ts no longer reads, an image built twice, a data source on the wrong network).
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
  pull_policy?: string;
  network_mode?: string;
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
/** The image `build: .` makes; every service that runs ringlink runs it. */
const ringlinkImage = Object.values(services).find((s) => s.build !== undefined)?.image;
const ringlinkServices = Object.entries(services).filter(([, s]) => s.build !== undefined || (ringlinkImage !== undefined && s.image === ringlinkImage));
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

  test("the ringlink image is built once and every service running ringlink uses it", () => {
    const built = Object.entries(services).filter(([, svc]) => svc.build !== undefined);
    expect(built.map(([name]) => name)).toEqual(["migrate"]);
    expect(ringlinkImage).toBeDefined();
    const runsRinglink = (svc: Service) => ["serve", "migrate", "worker"].includes(svc.command?.[0] ?? "");
    const running = Object.entries(services).filter(([, svc]) => runsRinglink(svc));
    expect(running.length).toBe(5);
    for (const [name, svc] of running) {
      expect(`${name}: ${svc.image}`).toBe(`${name}: ${ringlinkImage}`);
      // the others neither build nor try to pull the locally built image
      if (svc.build === undefined) expect(`${name}: ${svc.pull_policy}`).toBe(`${name}: never`);
    }
  });
});

describe("monitoring files agree with the compose stacks", () => {
  const datasource = Bun.YAML.parse(read("monitoring/grafana/provisioning/datasources/prometheus.yml")) as {
    datasources: Array<{ uid: string; url: string }>;
  };
  const hostCompose = Bun.YAML.parse(read("monitoring/docker-compose.yml")) as { services: Record<string, Service> };
  /** The data source URL as Grafana sees it in a stack: ${VAR} expanded from the Grafana container's environment. */
  const datasourceUrl = (grafana: Service | undefined) =>
    datasource.datasources[0]!.url.replace(/\$\{([A-Z_]+)\}|\$([A-Z_]+)/g, (_, a, b) => grafana?.environment?.[a ?? b] ?? "");

  test("Grafana's data source reaches Prometheus on the compose network of docker-compose.yml", () => {
    const url = new URL(datasourceUrl(services.grafana));
    expect(services[url.hostname]?.image).toStartWith("prom/prometheus");
    // the container port Prometheus listens on (its default), which the published port maps to
    expect(services.prometheus?.ports?.map((p) => p.split(":").pop())).toContain(url.port);
    expect(url.hostname).not.toMatch(/^(127\.|localhost$)/);
  });

  test("with monitoring/docker-compose.yml (host networking) it reaches Prometheus on loopback", () => {
    const { grafana, prometheus: prom } = hostCompose.services;
    expect(grafana?.network_mode).toBe("host");
    expect(prom?.network_mode).toBe("host");
    const url = new URL(datasourceUrl(grafana));
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.port).toBe("9090");
  });

  test("worker ports agree: docker-compose.yml, both Prometheus configs and the README", () => {
    const workerPorts = new Map<string, string>();
    for (const [, svc] of ringlinkServices.filter(([, s]) => s.command?.[0] === "worker")) {
      workerPorts.set(svc.command![1]!, svc.environment!.WORKER_PORT!);
    }
    expect([...workerPorts.keys()].sort()).toEqual(["analytics", "classifier"]);
    expect(new Set(workerPorts.values()).size).toBe(2);
    const local = Bun.YAML.parse(read("monitoring/prometheus/prometheus.yml")) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels?: Record<string, string> }> }>;
    };
    const localWorkers = local.scrape_configs.find((c) => c.job_name === "ringlink-workers")!.static_configs;
    for (const [kind, port] of workerPorts) {
      const scraped = localWorkers.find((c) => c.labels?.worker === kind);
      expect(`${kind}: ${scraped?.targets.join(",")}`).toBe(`${kind}: 127.0.0.1:${port}`);
    }
    const readme = read("README.md");
    const started = [...readme.matchAll(/WORKER_PORT=(\d+) [^\n]*worker (analytics|classifier)/g)];
    expect(started.length).toBeGreaterThan(0);
    for (const [, port, kind] of started) expect(`${kind}: ${port}`).toBe(`${kind}: ${workerPorts.get(kind!)}`);
    for (const [kind, port] of workerPorts) expect(readme).toContain(`${port} for \`ringlink worker ${kind}\``);
  });
});

describe("the README's set-up and walkthroughs agree with the files they name", () => {
  const readme = read("README.md");

  test("the HAProxy walkthrough makes short URLs name the proxy", () => {
    const block = /```sh\n((?:(?!```)[\s\S])*cluster\.sh haproxy up --port (\d+)(?:(?!```)[\s\S])*)```/.exec(readme);
    expect(block).not.toBeNull();
    const [, text, port] = block!;
    const setting = /PUBLIC_BASE_URL=(\S+)/.exec(text!);
    expect(setting?.[1]).toBe(`http://localhost:${port}`);
    // set before the instances start
    expect(text!.indexOf("PUBLIC_BASE_URL=")).toBeLessThan(text!.indexOf(" serve "));
    // and in docker-compose.yml: the address HAProxy publishes
    const published = services.haproxy?.ports?.[0]?.split(":")[0];
    expect(servers[0]![1].environment?.PUBLIC_BASE_URL).toBe(`http://localhost:${published}`);
  });

  test("bun run test installs the apt prerequisites itself, from the one list .ci/run uses too", () => {
    const ci = read(".ci/run");
    expect(ci).toContain("scripts/prerequisites.sh");
    expect(ci).not.toContain("apt-get");
    expect(read("scripts/test.ts")).toContain("scripts/prerequisites.sh");
    const listed = Bun.spawnSync(["bash", join(root, "scripts/prerequisites.sh"), "--list"])
      .stdout.toString()
      .trim()
      .split("\n");
    expect(listed).toContain("postgresql-15");
    expect(listed).toContain("chromium");
    const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("### The binary"));
    expect(quickStart).toContain("scripts/prerequisites.sh");
    for (const pkg of listed) expect(quickStart.replace(/\s+/g, " ")).toContain(pkg);
    expect(quickStart).toContain("CLUSTER_PORT_OFFSET");
  });
});
