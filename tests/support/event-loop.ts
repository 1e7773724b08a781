/** How long the event loop was held while `work` ran: the longest gap between ticks of a 5 ms timer, the last one included. */
export async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const tick = () => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  };
  const timer = setInterval(tick, 5);
  try {
    const result = await work();
    tick(); // work that never let the timer run is one long stall
    return { result, stallMs };
  } finally {
    clearInterval(timer);
  }
}
