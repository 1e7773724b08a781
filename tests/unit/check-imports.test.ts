/** The dependency rules (scripts/check-imports.ts): doors and no cycles, on the tree and on made-up ones. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { checkImports, checkTree, formatReport } from "../../scripts/check-imports";

const tree = (files: Record<string, string>) => new Map(Object.entries(files));

describe("dependency rules", () => {
  test("ringlink's own tree keeps them", () => {
    expect(checkTree(join(import.meta.dir, "../.."))).toEqual([]);
  });

  test("an import past another module's index.ts is refused, naming both files", () => {
    const report = checkImports(
      tree({
        "src/links/index.ts": 'export { LinkService } from "./link-service";',
        "src/links/link-service.ts": 'import { InvalidInput } from "../errors/app-errors";\nexport class LinkService {}',
        "src/errors/index.ts": 'export * from "./app-errors";',
        "src/errors/app-errors.ts": "export class InvalidInput extends Error {}",
      }),
    );
    expect(report.deepImports).toEqual([{ from: "src/links/link-service.ts", to: "src/errors/app-errors.ts" }]);
    expect(formatReport(report)).toEqual([
      "deep import: src/links/link-service.ts imports src/errors/app-errors.ts, past src/errors/index.ts (export what it needs there)",
    ]);
  });

  test("doors, top-level files, workers and imports inside a module are allowed", () => {
    const report = checkImports(
      tree({
        "src/config.ts": 'import type { RatePolicy } from "./ratelimit";\nexport const x = 1;',
        "src/ratelimit/index.ts": 'export type { RatePolicy } from "./policy";',
        "src/ratelimit/policy.ts": 'import { helper } from "./redis/lua";\nexport type RatePolicy = {};',
        "src/ratelimit/redis/lua.ts": "export const helper = 1;",
        "workers/analytics.ts": 'import { x } from "../src/config";\nimport type { RatePolicy } from "../src/ratelimit";',
      }),
    );
    expect(formatReport(report)).toEqual([]);
  });

  test("a cycle between modules is refused, type-only imports included, with the import behind each step", () => {
    const report = checkImports(
      tree({
        "src/cluster/index.ts": 'export { probe } from "./health-prober";',
        "src/cluster/health-prober.ts": 'import type { DependencyHealth } from "../storage";\nexport const probe = 1;',
        "src/storage/index.ts": 'export type { DependencyHealth } from "./link-store";\nexport { ring } from "./ring";',
        "src/storage/link-store.ts": "export interface DependencyHealth {}",
        "src/storage/ring.ts": 'import { probe } from "../cluster";\nexport const ring = probe;',
      }),
    );
    expect(report.cycles.map((c) => c.modules)).toEqual([["src/cluster", "src/storage"]]);
    expect(formatReport(report)).toEqual([
      "cycle: src/cluster -> src/storage -> src/cluster",
      "  src/cluster/health-prober.ts imports src/storage/index.ts",
      "  src/storage/ring.ts imports src/cluster/index.ts",
    ]);
  });

  test("dynamic imports count as imports", () => {
    const report = checkImports(
      tree({
        "src/main.ts": 'const { runKeys } = await import("./cli/keys");',
        "src/cli/index.ts": 'export { runKeys } from "./keys";',
        "src/cli/keys.ts": "export const runKeys = 1;",
      }),
    );
    expect(report.deepImports).toEqual([{ from: "src/main.ts", to: "src/cli/keys.ts" }]);
  });
});
