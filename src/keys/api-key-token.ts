/**
 * The token format: `rl_<id>_<secret>`. The id is public (it names the key in lists, logs and link
 * ownership); the secret is 192 bits from the CSPRNG. Only sha256(secret) is stored: with that much
 * entropy a fast hash cannot be brute-forced, and a slow one (argon2) would add tens of milliseconds
 * to every authenticated request.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const ID_BYTES = 6;
const SECRET_BYTES = 24;
const TOKEN_PATTERN = /^rl_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{32})$/;

export interface NewToken {
  id: string;
  secret: string;
  token: string;
}

export function newToken(): NewToken {
  // base64url of 6 and 24 bytes is exactly 8 and 32 characters: no padding to strip.
  const id = randomBytes(ID_BYTES).toString("base64url");
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { id, secret, token: `rl_${id}_${secret}` };
}

export function parseToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
