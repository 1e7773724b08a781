/**
 * Link passwords as argon2id hashes (Bun.password). A hash or a check costs ~100-200 ms of a core
 * on the runtime's own threads, off the serving thread but not free: 150 passworded items of one
 * bulk request once kept both cores busy for 15 s. So hashes and checks of one process go through a
 * gate, one at a time with 32 waiting at most (more answer 503 + Retry-After): hashing can never
 * take more than one core per process, whatever arrives. Per-client budgets are the routes' job
 * (RATE_LIMIT_PASSWORD_HASH, RATE_LIMIT_PASSWORD).
 */
import { WorkGate } from "../threads";

export const HASH_CONCURRENCY = 1;
const HASH_MAX_WAITING = 32;

export class PasswordHasher {
  private readonly gate = new WorkGate({ name: "password hashing", permits: HASH_CONCURRENCY, maxWaiting: HASH_MAX_WAITING });

  get stats() {
    return this.gate.stats;
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => Bun.password.hash(password, { algorithm: "argon2id" }));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.gate.run(() => Bun.password.verify(password, hash));
  }
}
