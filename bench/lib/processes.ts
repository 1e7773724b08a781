/** Starting bench servers as their own processes, pinned to a core when taskset exists. */
import type { Subprocess } from "bun";

export const hasTaskset = Bun.which("taskset") !== null;

export async function startProcess(argv: string[], opts: { env?: Record<string, string>; readyUrl: string; cpu?: string; cwd?: string }): Promise<Subprocess> {
  const cmd = opts.cpu && hasTaskset ? ["taskset", "-c", opts.cpu, ...argv] : argv;
  const proc = Bun.spawn(cmd, { env: { ...process.env, ...opts.env }, stdout: "ignore", stderr: "inherit", cwd: opts.cwd });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(opts.readyUrl, { redirect: "manual" });
      if (res.status < 400) return proc;
    } catch {
      // not up yet
    }
    await Bun.sleep(50);
  }
  proc.kill("SIGKILL");
  throw new Error(`${argv.join(" ")} did not become ready`);
}

export async function stopProcess(proc: Subprocess): Promise<void> {
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await proc.exited;
  clearTimeout(timer);
}
