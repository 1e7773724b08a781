/**
 * What an API key may do. `admin` implies every other scope and reaches every link; the others
 * reach only the links the key created. ADMIN_TOKEN acts as a key with every scope.
 */
export const SCOPES = ["create", "manage", "stats", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Parses "create,manage"; throws a plain Error naming the first unknown scope. */
export function parseScopes(raw: string): Scope[] {
  const scopes = [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== ""),
    ),
  ];
  if (scopes.length === 0) throw new Error(`at least one scope is needed (${SCOPES.join(", ")})`);
  for (const s of scopes) if (!isScope(s)) throw new Error(`unknown scope '${s}' (known: ${SCOPES.join(", ")})`);
  return scopes as Scope[];
}
