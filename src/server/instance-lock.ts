/**
 * One serving instance per port and DATA_DIR. `serve` writes DATA_DIR/serve-<port>.lock naming
 * its own pid and (under a supervisor) its children's, and refuses to start while a process the
 * lock names is still alive: a supervisor that was SIGKILLed leaves children that keep the port
 * (reusePort lets a new set bind beside them) with caches that never hear of later changes.
 * Children exit on their own when their supervisor dies, so a new instance first waits briefly for
 * them; one still alive after that is reported, never taken over or killed: it may be serving
 * requests, and which of two sets of processes is the right one is the operator's call.
 *
 * A pid counts as alive only if it exists and, where /proc shows it, runs `serve` on this port:
 * a lock left by a crash whose pids were reused by unrelated processes is taken over.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PRIVATE_FILE_MODE, ensurePrivateDir } from "../files";

export interface LockContents {
  supervisor: number;
  children: number[];
  port: number;
  startedAt: string;
}

export class InstanceLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InstanceLockError";
  }
}

export interface InstanceLockOptions {
  dataDir: string;
  port: number;
  /** how long to wait for the children of a dead supervisor to exit by themselves */
  orphanGraceMs?: number;
  pid?: number;
}

const DEFAULT_ORPHAN_GRACE_MS = 3_000;

export function lockPath(dataDir: string, port: number): string {
  return join(dataDir, `serve-${port}.lock`);
}

/** Whether `pid` is a live ringlink `serve` process for `port` (zombies and reused pids are not). */
export function isServing(pid: number, port: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return true; // no /proc here: existence is all we can know
  }
  if (!argv.includes("serve")) return false; // a zombie (empty cmdline) or another program
  const flag = argv.indexOf("--port");
  return flag === -1 || argv[flag + 1] === String(port);
}

function readLock(path: string): LockContents | null {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as LockContents;
    return Number.isInteger(parsed.supervisor) && Array.isArray(parsed.children) ? parsed : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    return { supervisor: 0, children: [], port: 0, startedAt: "" }; // unreadable: stale
  }
}

export class InstanceLock {
  private children: number[] = [];
  private released = false;

  private constructor(
    readonly path: string,
    private readonly contents: Omit<LockContents, "children">,
  ) {}

  /** Takes the lock, or throws InstanceLockError with one line saying who holds it. */
  static async acquire(options: InstanceLockOptions): Promise<InstanceLock> {
    const { dataDir, port } = options;
    ensurePrivateDir(dataDir);
    const path = lockPath(dataDir, port);
    const lock = new InstanceLock(path, { supervisor: options.pid ?? process.pid, port, startedAt: new Date().toISOString() });
    const graceUntil = Date.now() + (options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS);
    for (;;) {
      try {
        writeFileSync(path, lock.serialise(), { flag: "wx", mode: PRIVATE_FILE_MODE });
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = readLock(path);
      if (holder === null) continue; // removed meanwhile
      const supervisorAlive = holder.supervisor > 0 && holder.supervisor !== lock.contents.supervisor && isServing(holder.supervisor, port);
      const liveChildren = holder.children.filter((pid) => isServing(pid, port));
      const where = `port ${port} with DATA_DIR ${dataDir}`;
      if (supervisorAlive) {
        const kids = liveChildren.length > 0 ? ` and its processes ${liveChildren.join(", ")}` : "";
        throw new InstanceLockError(`${where} is already served by ringlink (pid ${holder.supervisor}${kids}); stop it first or pick another port`);
      }
      if (liveChildren.length > 0) {
        if (Date.now() < graceUntil) {
          await Bun.sleep(100);
          continue;
        }
        throw new InstanceLockError(
          `${where} is still served by processes ${liveChildren.join(", ")} of a ringlink supervisor that is gone (pid ${holder.supervisor}); stop them first (kill ${liveChildren.join(" ")})`,
        );
      }
      rmSync(path, { force: true }); // stale: every process it names is gone
    }
  }

  /** Records the current children (after each spawn), so a later start can tell whether they live. */
  setChildren(pids: number[]): void {
    if (this.released) return;
    this.children = pids;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, this.serialise(), { mode: PRIVATE_FILE_MODE });
    renameSync(tmp, this.path);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (readLock(this.path)?.supervisor === this.contents.supervisor) rmSync(this.path, { force: true });
  }

  private serialise(): string {
    return JSON.stringify({ ...this.contents, children: this.children } satisfies LockContents);
  }
}
