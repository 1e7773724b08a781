/**
 * The realtime relay between the processes of one instance (embedded or distributed): a child sends
 * its sample and reports to the supervisor, which forwards them to every other child (see
 * supervisor.ts). About eleven small messages a second per process, whatever the request rate.
 */
import { isRelayMessage, type RelayMessage, type RelayTransport, type RelayTransportStats } from "../realtime";

export class IpcRealtimeRelay implements RelayTransport {
  readonly name = "ipc";
  private readonly handlers: Array<(m: RelayMessage) => void> = [];
  private readonly counters: RelayTransportStats = { sent: 0, received: 0, errors: 0 };
  private readonly listener = (m: unknown) => {
    if (!isRelayMessage(m)) return;
    this.counters.received++;
    for (const h of this.handlers) h(m);
  };

  constructor() {
    process.on("message", this.listener);
  }

  send(message: RelayMessage): void {
    try {
      process.send?.(message);
      this.counters.sent++;
    } catch {
      this.counters.errors++; // the supervisor is gone; the drain will stop us shortly
    }
  }

  onMessage(handler: (m: RelayMessage) => void): void {
    this.handlers.push(handler);
  }

  stats(): RelayTransportStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    process.off("message", this.listener);
  }
}
