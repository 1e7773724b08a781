/** A thread entry for ThreadPool tests: holds its thread busy for `spinMs`, then answers. */
import { serveThread } from "../../src/threads";

export interface BusyJob {
  spinMs: number;
  fail?: boolean;
  crash?: boolean;
}

serveThread<BusyJob, { spun: number }>(({ spinMs, fail, crash }) => {
  if (crash)
    setTimeout(() => {
      throw new Error("thread crashed");
    });
  const until = performance.now() + spinMs;
  let spins = 0;
  while (performance.now() < until) spins++;
  if (fail) throw new Error("job failed");
  return { value: { spun: spins } };
});
