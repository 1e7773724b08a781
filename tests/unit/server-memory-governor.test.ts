import { expect, test } from "bun:test";
import { startMemoryGovernor, type MemoryProbe } from "../../src/server/memory-governor";

/** A process whose heap holds `live` bytes plus whatever garbage the test adds. */
function fakeProcess(live: number) {
  const state = { garbage: 0, clock: 0, collections: 0 };
  const probe: MemoryProbe = {
    rss: () => 40 + live + state.garbage,
    heapUsed: () => live + state.garbage,
    collect: () => {
      state.collections++;
      state.garbage = 0;
    },
  };
  return { state, probe, now: () => state.clock };
}

test("collects while garbage pushes RSS over the limit, and rests when a collection frees little", async () => {
  const p = fakeProcess(50);
  const governor = startMemoryGovernor(100, 5, p.probe, p.now);
  p.state.garbage = 60; // 150 > 100: worth a collection
  await Bun.sleep(30);
  expect(governor.collections).toBe(1);
  p.state.garbage = 60; // garbage again, but within 5 s of the last pause
  await Bun.sleep(30);
  expect(governor.collections).toBe(1);
  p.state.clock += 5_001;
  await Bun.sleep(30);
  expect(governor.collections).toBe(2);

  const big = fakeProcess(200); // live data alone is over the limit
  const resting = startMemoryGovernor(100, 5, big.probe, big.now);
  await Bun.sleep(40);
  expect(resting.collections).toBe(1); // freed nothing: rests instead of collecting every tick
  big.state.clock += 15_001;
  await Bun.sleep(20);
  expect(resting.collections).toBe(2);

  const off = startMemoryGovernor(0, 5, p.probe, p.now);
  p.state.garbage = 500;
  await Bun.sleep(20);
  for (const g of [governor, resting, off]) g.stop();
  expect(off.collections).toBe(0);
});
