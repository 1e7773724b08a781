import { timingSafeEqual } from "node:crypto";
import { Forbidden, Unauthorized } from "./errors";

/**
 * Checks `Authorization: Bearer <token>` against the admin token. With no admin token configured
 * the guarded action is disabled outright (403), so an unconfigured server is never open.
 */
export function requireAdmin(request: Request, adminToken: string | undefined, action: string): void {
  if (adminToken === undefined) throw new Forbidden(`${action} is disabled: set ADMIN_TOKEN to enable it`);
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new Unauthorized(`${action} needs Authorization: Bearer <token>`);
  if (!tokensEqual(match[1], adminToken)) throw new Forbidden(`this token may not ${action}`);
}

export function hasAdmin(request: Request, adminToken: string | undefined): boolean {
  if (adminToken === undefined) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1] !== undefined && tokensEqual(match[1], adminToken);
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
