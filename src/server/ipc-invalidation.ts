/**
 * Cross-process L1 invalidation in embedded multi-process mode: a child tells the supervisor, the
 * supervisor tells every other child. Messages are tiny and rare (creates and deletes only).
 */
import type { Invalidation } from "../cache";

export interface InvalidateMessage {
  kind: "invalidate";
  code: string;
}

export function isInvalidateMessage(m: unknown): m is InvalidateMessage {
  return typeof m === "object" && m !== null && (m as InvalidateMessage).kind === "invalidate" && typeof (m as InvalidateMessage).code === "string";
}

export class IpcInvalidation implements Invalidation {
  private readonly listeners: Array<(code: string) => void> = [];
  private readonly onMessage = (m: unknown) => {
    if (isInvalidateMessage(m)) for (const l of this.listeners) l(m.code);
  };

  constructor() {
    process.on("message", this.onMessage);
  }

  publish(code: string): void {
    for (const l of this.listeners) l(code);
    process.send?.({ kind: "invalidate", code } satisfies InvalidateMessage);
  }

  subscribe(listener: (code: string) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    process.off("message", this.onMessage);
  }
}
