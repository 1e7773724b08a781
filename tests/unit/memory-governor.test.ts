import { expect, test } from "bun:test";
import { startMemoryGovernor } from "../../src/server/memory-governor";

test("a full collection runs only while resident memory is over the soft limit", async () => {
  const over = startMemoryGovernor(1, 10);
  const under = startMemoryGovernor(1024 ** 4, 10);
  const off = startMemoryGovernor(0, 10);
  await Bun.sleep(80);
  over.stop();
  under.stop();
  off.stop();
  expect(over.collections).toBeGreaterThan(0);
  expect(under.collections).toBe(0);
  expect(off.collections).toBe(0);
});
