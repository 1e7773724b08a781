import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ASSET_FILES } from "../../src/dashboard/assets";
import { MIGRATIONS } from "../../src/storage/migrations";

const root = join(import.meta.dir, "../..");

test("every file in frontend/ is embedded in the binary", () => {
  const onDisk = readdirSync(join(root, "frontend")).sort();
  expect(Object.keys(ASSET_FILES).sort()).toEqual(onDisk);
});

test("every migration in sql/ is registered, numbered and in order", () => {
  const onDisk = readdirSync(join(root, "sql"))
    .filter((f) => f.endsWith(".sql"))
    .sort();
  expect(MIGRATIONS.map((m) => m.name)).toEqual(onDisk);
  MIGRATIONS.forEach((m, i) => {
    expect(m.version).toBe(i + 1);
    expect(m.name.startsWith(String(i + 1).padStart(3, "0"))).toBe(true);
  });
});
