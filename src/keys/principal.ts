/** Who is asking: the ADMIN_TOKEN, an API key, or nobody (anonymous). */
import type { Scope } from "./scopes";

export type Principal = { kind: "admin"; id: "admin-token"; name: "ADMIN_TOKEN" } | { kind: "key"; id: string; name: string; scopes: ReadonlySet<Scope> };

export const ADMIN_PRINCIPAL: Principal = { kind: "admin", id: "admin-token", name: "ADMIN_TOKEN" };

export function hasScope(principal: Principal | null, scope: Scope): boolean {
  if (principal === null) return false;
  if (principal.kind === "admin") return true;
  return principal.scopes.has("admin") || principal.scopes.has(scope);
}

/** Whether the principal reaches every link (admin) rather than only the links it created. */
export function seesAllLinks(principal: Principal | null): boolean {
  return principal !== null && (principal.kind === "admin" || principal.scopes.has("admin"));
}

/** The owner recorded on links this principal creates: admin-token links stay unowned (as before keys existed). */
export function ownerIdOf(principal: Principal | null): string | null {
  return principal?.kind === "key" ? principal.id : null;
}
