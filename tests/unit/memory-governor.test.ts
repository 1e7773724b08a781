import { expect, test } from "bun:test";
import { startMemoryGovernor } from "../../src/server/memory-governor";

test("a full collection runs only while resident memory is over the soft limit", async () => {
  const under = startMemoryGovernor(1024 ** 4, 10);
  const off = startMemoryGovernor(0, 10);
  let rss = 200;
  const over = startMemoryGovernor(100, 10, () => rss);
  await Bun.sleep(60);
  // Still 200 after the first collection: the live data is that big, so the bar moved to 250.
  expect(over.collections).toBe(1);
  rss = 300; // garbage again: collect
  await Bun.sleep(40);
  expect(over.collections).toBe(2);
  for (const g of [under, off, over]) g.stop();
  expect(under.collections).toBe(0);
  expect(off.collections).toBe(0);
});
