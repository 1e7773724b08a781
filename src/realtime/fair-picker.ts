/**
 * The second sampling stage, in front of the clients: every origin (process) already sends at most
 * its own budget, but N origins together may exceed what one client should receive. Each window the
 * picker takes events round-robin across origins, writes before reads, so every process and every
 * instance stays visible on the page however busy the others are.
 */
import { WindowBudget } from "./event-sampler";
import type { ClientEvent } from "./wire";

/** Events kept per origin between windows; anything older is superseded by fresher samples. */
const INBOX_PER_ORIGIN = 64;

export interface PickedWindow {
  events: ClientEvent[];
  /** events that arrived but were not picked */
  skipped: number;
}

export class FairPicker {
  private readonly inbox = new Map<string, ClientEvent[]>();
  private readonly budget: WindowBudget;

  constructor(perSecond: number, windowMs: number, burstSeconds = 0.5) {
    this.budget = new WindowBudget((perSecond * windowMs) / 1000, Math.max(1, Math.round(perSecond * burstSeconds)));
  }

  add(origin: string, events: readonly ClientEvent[]): void {
    if (events.length === 0) return;
    let box = this.inbox.get(origin);
    if (!box) {
      box = [];
      this.inbox.set(origin, box);
    }
    for (const e of events) box.push(e);
    if (box.length > INBOX_PER_ORIGIN) box.splice(0, box.length - INBOX_PER_ORIGIN);
  }

  pick(): PickedWindow {
    const allowed = this.budget.refill();
    let available = 0;
    for (const box of this.inbox.values()) available += box.length;
    if (available === 0) return { events: [], skipped: 0 };
    const picked: ClientEvent[] = [];
    for (const kind of ["write", "read"] as const) {
      const queues = [...this.inbox.values()].map((box) => box.filter((e) => e.type === kind));
      let progress = true;
      while (picked.length < allowed && progress) {
        progress = false;
        for (const q of queues) {
          const next = q.shift();
          if (next === undefined) continue;
          picked.push(next);
          progress = true;
          if (picked.length >= allowed) break;
        }
      }
    }
    this.inbox.clear();
    this.budget.spend(picked.length);
    picked.sort((a, b) => a.ts - b.ts);
    return { events: picked, skipped: available - picked.length };
  }
}
