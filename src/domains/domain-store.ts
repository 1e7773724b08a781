/** The port through which domains added by the API are kept (shard 0 in distributed mode, the SQLite file embedded). */
import type { ShortDomain } from "./short-domain";

export interface DomainStore {
  listDomains(): Promise<ShortDomain[]>;
  /** inserts or replaces the domain of that host */
  saveDomain(domain: ShortDomain, at: number): Promise<void>;
  /** false when no domain of that host was stored */
  removeDomain(host: string): Promise<boolean>;
}

export interface DomainRow {
  host: string;
  root_redirect: string | null;
  not_found_redirect: string | null;
  create_keys: string | null;
}

export function toDomain(row: DomainRow): ShortDomain {
  return {
    host: row.host,
    rootRedirect: row.root_redirect ?? null,
    notFoundRedirect: row.not_found_redirect ?? null,
    keys: row.create_keys === null || row.create_keys === undefined ? null : row.create_keys.split(",").filter((k) => k !== ""),
  };
}
