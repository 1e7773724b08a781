function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

/** A one-line progress bar on stderr; plain lines every 10% when stderr is not a terminal (CI logs). */
export function progressBar(label: string, total: number): { tick(n?: number): void; done(): void } {
  let count = 0;
  let last = -1;
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  const draw = () => {
    const pct = total === 0 ? 100 : Math.floor((count / total) * 100);
    if (pct === last || (!tty && pct % 10 !== 0)) return;
    last = pct;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    const rate = Math.round(count / Math.max((performance.now() - started) / 1000, 0.001));
    const eta = rate > 0 && count < total ? `, ${formatSeconds((total - count) / rate)} left` : "";
    const line = `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct}% ${count}/${total} (${rate}/s${eta})`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  return {
    tick(n = 1) {
      count += n;
      draw();
    },
    done() {
      count = total;
      draw();
      if (tty) process.stderr.write("\n");
    },
  };
}
