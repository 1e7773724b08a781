/**
 * Probes a set of nodes every `intervalMs` (about once a second): the probe is what closes an open
 * breaker when a node comes back, and what opens it for a node that died while no request was
 * looking. Each node is probed on its own schedule, so one hung node (waiting out its probe timeout)
 * does not delay noticing that another one recovered. `probeAll` is the on-demand check behind
 * /readyz; a probe already in flight for a node is shared rather than doubled.
 */
import type { DependencyHealth } from "./dependency-health";
import type { GuardedNode } from "./guarded-node";

export class HealthProber {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly inflight = new Map<GuardedNode, Promise<DependencyHealth>>();

  constructor(
    private readonly nodes: readonly GuardedNode[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      for (const node of this.nodes) void this.probe(node);
    }, this.intervalMs);
    this.timer.unref?.();
  }

  private probe(node: GuardedNode): Promise<DependencyHealth> {
    let pending = this.inflight.get(node);
    if (!pending) {
      pending = node.probe().finally(() => this.inflight.delete(node));
      this.inflight.set(node, pending);
    }
    return pending;
  }

  probeAll(): Promise<DependencyHealth[]> {
    return Promise.all(this.nodes.map((n) => this.probe(n)));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
