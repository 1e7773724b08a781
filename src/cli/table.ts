/**
 * Aligned plain-text tables for the CLI: a header row and one row per item, columns padded to their
 * widest cell, two spaces apart, no trailing blanks. Numbers align right so digits line up.
 */
export interface Column<T> {
  header: string;
  value(row: T): string | number | boolean | null;
  /** cells longer than this are cut with an ellipsis (a table stays readable with long URLs) */
  max?: number;
}

function cell(value: string | number | boolean | null, max: number | undefined): string {
  const text = value === null ? "-" : String(value).replace(/[\r\n\t]+/g, " ");
  return max !== undefined && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatTable<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[]): string {
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => typeof c.value(r) === "number"));
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join("\n");
}

/** A record shown as two aligned columns (field, value): `links show`, the totals of `links stats`. */
export function formatFields(fields: ReadonlyArray<readonly [string, string | number | boolean | null]>): string {
  const width = Math.max(0, ...fields.map(([name]) => name.length));
  return fields.map(([name, value]) => `${name.padEnd(width)}  ${cell(value, undefined)}`.trimEnd()).join("\n");
}
