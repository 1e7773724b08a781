import { describe, expect, test } from "bun:test";
import { EventSampler } from "../../src/realtime/event-sampler";
import { FairPicker } from "../../src/realtime/fair-picker";
import type { ClientEvent } from "../../src/realtime/wire";

let n = 0;
function event(type: "read" | "write", node = "a", ts = n): ClientEvent {
  n++;
  return { event_id: `e${n}`, type, status: "OK", node, redis: null, db: null, short_code: "abcdefg", latency_ms: 0.01, ts };
}

describe("EventSampler (each process's own events)", () => {
  test("passes a quiet stream through whole", () => {
    const sampler = new EventSampler<ClientEvent>(50, 100);
    for (let i = 0; i < 3; i++) sampler.offer(event("read"));
    const out = sampler.flush();
    expect(out.events).toHaveLength(3);
    expect(out.seen).toBe(3);
  });

  test("emits at most ~50 events a second however many arrive, and counts what it saw", () => {
    const sampler = new EventSampler<ClientEvent>(50, 100);
    let emitted = 0;
    let seen = 0;
    for (let window = 0; window < 100; window++) {
      for (let i = 0; i < 5_000; i++) sampler.offer(event("read"));
      const out = sampler.flush();
      emitted += out.events.length;
      seen += out.seen;
    }
    // 10 s of 50k events/s: 50/s plus one initial burst of 25.
    expect(seen).toBe(500_000);
    expect(emitted).toBeLessThanOrEqual(50 * 10 + 25);
    expect(emitted).toBeGreaterThanOrEqual(50 * 10 - 5);
  });

  test("takes writes before reads when the budget is short", () => {
    const sampler = new EventSampler<ClientEvent>(50, 100);
    sampler.flush(); // spend nothing; budget is the burst
    for (let i = 0; i < 1_000; i++) sampler.offer(event("read"));
    for (let i = 0; i < 3; i++) sampler.offer(event("write"));
    const out = sampler.flush();
    expect(out.events.filter((e) => e.type === "write")).toHaveLength(3);
  });

  test("samples uniformly over the window, not just its first events", () => {
    const sampler = new EventSampler<ClientEvent>(50, 100);
    const late: number[] = [];
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 1_000; i++) sampler.offer(event("read", "a", i));
      late.push(sampler.flush().events.filter((e) => e.ts >= 500).length);
    }
    const share = late.reduce((a, b) => a + b, 0) / (200 * 5);
    expect(share).toBeGreaterThan(0.3); // about half come from the second half of the window
  });

  test("sorts each sample by time", () => {
    const sampler = new EventSampler<ClientEvent>(50, 100);
    for (let i = 0; i < 100; i++) sampler.offer(event("read", "a", 1000 - i));
    const ts = sampler.flush().events.map((e) => e.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });
});

describe("FairPicker (what a client receives from all origins)", () => {
  test("keeps every origin visible however busy the others are", () => {
    const picker = new FairPicker(50, 100);
    const seenNodes = new Set<string>();
    for (let window = 0; window < 20; window++) {
      picker.add(
        "busy",
        Array.from({ length: 60 }, () => event("read", "busy")),
      );
      picker.add("quiet", [event("read", "quiet")]);
      for (const e of picker.pick().events) seenNodes.add(e.node);
    }
    expect(seenNodes).toEqual(new Set(["busy", "quiet"]));
  });

  test("caps the merged stream at ~50 events a second and reports what it skipped", () => {
    const picker = new FairPicker(50, 100);
    let picked = 0;
    let skipped = 0;
    for (let window = 0; window < 50; window++) {
      picker.add(
        "a",
        Array.from({ length: 25 }, () => event("read", "a")),
      );
      picker.add(
        "b",
        Array.from({ length: 25 }, () => event("read", "b")),
      );
      const out = picker.pick();
      picked += out.events.length;
      skipped += out.skipped;
    }
    expect(picked).toBeLessThanOrEqual(50 * 5 + 25);
    expect(picked + skipped).toBe(50 * 50);
  });

  test("writes from any origin go before reads", () => {
    const picker = new FairPicker(50, 100);
    picker.pick(); // refill once: the next window has exactly 5 + the burst left over
    picker.add(
      "a",
      Array.from({ length: 64 }, () => event("read", "a")),
    );
    picker.add("b", [event("write", "b")]);
    const out = picker.pick();
    expect(out.events.some((e) => e.type === "write")).toBe(true);
  });
});
