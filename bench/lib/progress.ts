/** A one-line progress bar on stderr (plain lines when not a terminal, so CI logs stay readable). */
export function progressBar(label: string, total: number): { tick(n?: number): void; done(): void } {
  let count = 0;
  let lastPrinted = -1;
  const tty = process.stderr.isTTY;
  const draw = () => {
    const pct = Math.floor((count / total) * 100);
    if (pct === lastPrinted) return;
    if (!tty && pct % 25 !== 0) return;
    lastPrinted = pct;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    const bar = `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct}% (${count}/${total})`;
    process.stderr.write(tty ? `\r${bar}` : `${bar}\n`);
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
