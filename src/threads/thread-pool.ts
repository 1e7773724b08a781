/**
 * A small pool of Bun Workers for CPU-bound work that must not hold the serving thread (a large
 * QR code took ~340 ms there and stalled every redirect behind it). Threads start on first use and
 * are unref'd, so an idle pool keeps no process alive. Jobs go through a WorkGate: as many run as
 * there are threads, a bounded number wait, the rest are refused with 503 + Retry-After. A job that
 * outlives its deadline has its thread terminated (there is no other way to stop it) and replaced.
 */
import { Unavailable } from "../errors";
import type { ThreadReply } from "./thread-main";
import { WorkGate } from "./work-gate";

export interface ThreadPoolOptions {
  name: string;
  entry: string;
  threads: number;
  maxWaiting: number;
  timeoutMs: number;
}

interface Thread {
  worker: Worker;
  settle?: (reply: ThreadReply<unknown>) => void;
  gone?: boolean;
}

export class ThreadPool<Req, Res> {
  private readonly gate: WorkGate;
  private readonly idle: Thread[] = [];
  private readonly live = new Set<Thread>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ThreadPoolOptions) {
    this.gate = new WorkGate({ name: options.name, permits: options.threads, maxWaiting: options.maxWaiting });
  }

  get stats() {
    return { threads: this.live.size, ...this.gate.stats };
  }

  run(request: Req, transfer: Bun.Transferable[] = []): Promise<Res> {
    if (this.closed) return Promise.reject(new Unavailable(`${this.options.name} is shutting down`));
    return this.gate.run(() => this.dispatch(request, transfer));
  }

  private dispatch(request: Req, transfer: Bun.Transferable[]): Promise<Res> {
    // The gate admits at most `threads` jobs, so there is an idle thread or room for a new one.
    const thread = this.idle.pop() ?? this.spawn();
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.discard(thread);
        reject(new Unavailable(`${this.options.name} took longer than ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      thread.settle = (reply) => {
        clearTimeout(timer);
        thread.settle = undefined;
        if (reply.id === -1) {
          this.discard(thread);
          reject(new Error(`${this.options.name} thread failed: ${reply.error}`));
          return;
        }
        this.idle.push(thread);
        if (reply.error !== undefined) reject(new Error(`${this.options.name} failed: ${reply.error}`));
        else resolve(reply.value as Res);
      };
      thread.worker.postMessage({ id, request }, transfer);
    });
  }

  private spawn(): Thread {
    const worker = new Worker(this.options.entry);
    worker.unref();
    const thread: Thread = { worker };
    worker.onmessage = (event: MessageEvent<ThreadReply<unknown>>) => thread.settle?.(event.data);
    // An uncaught error or an exit ends the thread's usefulness, busy or idle: fail its job (if
    // any) and drop it, so the next job spawns a fresh one instead of waiting on a dead thread.
    const lost = (why: string) => (thread.settle ? thread.settle({ id: -1, error: why }) : this.discard(thread));
    worker.onerror = (event: ErrorEvent) => lost(event.message);
    worker.addEventListener("close", () => lost("the thread exited"));
    this.live.add(thread);
    return thread;
  }

  private discard(thread: Thread): void {
    if (thread.gone) return;
    thread.gone = true;
    this.live.delete(thread);
    const i = this.idle.indexOf(thread);
    if (i !== -1) this.idle.splice(i, 1);
    thread.worker.terminate();
  }

  close(): void {
    this.closed = true;
    for (const thread of [...this.live]) this.discard(thread);
  }
}
