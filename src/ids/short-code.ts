/**
 * Short codes: uniformly random base62 strings from the CSPRNG. Random (not a counter) so nobody can
 * enumerate links by counting; uniqueness is enforced by the store's unique constraint plus a retry.
 * 62^7 ≈ 3.5e12 codes: at 100M links a fresh code collides with probability ~3e-5 per try.
 */
export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const DEFAULT_CODE_LENGTH = 7;

// 62 * 4 = 248: bytes >= 248 are rejected so every character is equally likely (no modulo bias).
const UNBIASED_LIMIT = 248;

export function randomCode(length = DEFAULT_CODE_LENGTH): string {
  let out = "";
  const bytes = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!;
      if (b < UNBIASED_LIMIT) out += BASE62[b % 62];
    }
  }
  return out;
}

/** Codes and aliases share one alphabet so the redirect path can reject junk before any I/O. */
export function isWellFormedCode(code: string): boolean {
  const n = code.length;
  if (n < 3 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = code.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 /* - */ || c === 95; /* _ */
    if (!ok) return false;
  }
  return true;
}
