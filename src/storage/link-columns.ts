/**
 * Column encodings shared by both adapters, so SQLite and PostgreSQL store and filter alike.
 * Tags are one TEXT column ",a,b," (no join table): a tag filter is a single LIKE on both engines
 * and a link carries few tags.
 */
import type { DisabledReason } from "./link-store";

export function encodeTags(tags: readonly string[] | undefined): string {
  return tags && tags.length > 0 ? `,${tags.join(",")},` : "";
}

export function decodeTags(raw: string | null | undefined): string[] {
  return raw ? raw.split(",").filter((t) => t !== "") : [];
}

export function decodeDisabled(raw: string | null | undefined): DisabledReason | null {
  return raw === "manual" || raw === "unsafe" ? raw : null;
}

/** A LIKE pattern matching `text` literally (with `ESCAPE '\'`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function tagPattern(tag: string): string {
  return `%,${likeLiteral(tag)},%`;
}

export function containsPattern(q: string): string {
  return `%${likeLiteral(q.toLowerCase())}%`;
}

/** A routing column (rules, variants, preview): JSON text, NULL when absent. */
export function encodeJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Unreadable JSON reads as absent: a bad column must not take the link (or a listing) down. */
export function decodeJson<T>(raw: string | null | undefined): T | null {
  if (raw === null || raw === undefined || raw === "") return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}
