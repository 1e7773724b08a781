import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
/** The Bun release this code is tested on (package.json engines.bun). */
export const REQUIRED_BUN: string = pkg.engines.bun;

/** A different major.minor is refused; a different patch only warned about. */
export function checkBunVersion(actual: string = Bun.version): { ok: boolean; message?: string } {
  if (actual === REQUIRED_BUN) return { ok: true };
  const [aMaj, aMin] = actual.split(".");
  const [rMaj, rMin] = REQUIRED_BUN.split(".");
  const message = `ringlink is pinned to Bun ${REQUIRED_BUN} but runs on ${actual}`;
  return aMaj === rMaj && aMin === rMin ? { ok: true, message } : { ok: false, message };
}
