/** Dates and numbers for people: in the viewer's own time zone, which the studio states where it matters. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The viewer's IANA time zone, e.g. "Europe/Paris". */
export const viewerTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "2 Dec 2026, 14:05" in the viewer's zone; "—" for nothing. */
export function formatWhen(value: string | Date | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? "—" : dateTime.format(date);
}

/** A JSON value as short text for tables and panels. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value);
}
