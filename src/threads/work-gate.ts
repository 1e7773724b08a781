/**
 * Bounds how much of one kind of costly work runs at once: `permits` jobs run, at most `maxWaiting`
 * wait in line, and a job beyond that is refused at once with 503 + Retry-After instead of queueing
 * without end. A saturated gate therefore costs its callers a quick refusal, not a growing backlog
 * that every later request of the same kind has to sit through.
 */
import { Unavailable } from "../errors";

export interface WorkGateOptions {
  /** what the refusal's message calls the work, e.g. "QR rendering" */
  name: string;
  permits: number;
  maxWaiting: number;
  retryAfterSeconds?: number;
}

export class WorkGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private refusedCount = 0;

  constructor(private readonly options: WorkGateOptions) {}

  get stats(): { running: number; waiting: number; refused: number } {
    return { running: this.running, waiting: this.waiting.length, refused: this.refusedCount };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.permits) {
      if (this.waiting.length >= this.options.maxWaiting) {
        this.refusedCount++;
        throw new Unavailable(`${this.options.name} is at capacity, try again shortly`, this.options.retryAfterSeconds ?? 1);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      // The permit passes straight to the next in line, so `running` never dips between jobs.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
