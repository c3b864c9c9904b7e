/** IANA time zone validation via Intl (no data files of our own to keep up to date). */

const cache = new Map<string, boolean>();

/** True for a time zone name Intl knows, e.g. "Europe/London"; false for "Mars/Base". */
export function isValidTimeZone(name: string): boolean {
  let known = cache.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    if (cache.size < 10_000) cache.set(name, known);
  }
  return known;
}
