/**
 * Learners' local time with Intl only: wall-clock parts of an instant in a time zone, and the instant of a
 * wall-clock time. DST-correct: a local day can last 23 or 25 hours, and a wall time that does not exist
 * (spring forward) is shifted forward by the gap (02:30 → 03:30), as Temporal's "compatible" mode does.
 */

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(timeZone, f);
  }
  return f;
}

function readOffset(instant: Date, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

// Every zone's offset changes only at instants that are whole multiples of 15 minutes UTC, so an offset read
// once holds for its whole 15-minute bucket: cached, this replaces Intl's slow formatting on the hot path.
const BUCKET_MS = 15 * 60_000;
const offsets = new Map<string, Map<number, number>>();

function offsetMs(instant: Date, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const bucket = Math.floor(instant.getTime() / BUCKET_MS);
  let offset = zone.get(bucket);
  if (offset === undefined) {
    offset = readOffset(new Date(bucket * BUCKET_MS), timeZone);
    if (zone.size > 50_000) zone.clear();
    zone.set(bucket, offset);
  }
  return offset;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function wallTime(instant: Date, timeZone: string): WallTime {
  const local = new Date(instant.getTime() + offsetMs(instant, timeZone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
  };
}

/** The instant a wall-clock time happens in `timeZone` (shifted forward by the gap if DST skips it). */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  let guess = naive - offsetMs(new Date(naive), timeZone);
  guess = naive - offsetMs(new Date(guess), timeZone);
  const w = wallTime(new Date(guess), timeZone);
  if (w.hour !== hour || w.minute !== minute) {
    // Skipped by a spring-forward (02:30 does not exist): shift forward by the gap, as Temporal's
    // "compatible" disambiguation does — 02:30 becomes 03:30 — by reading it with the offset before the jump.
    const before = naive - offsetMs(new Date(naive - 12 * 3_600_000), timeZone);
    const after = naive - offsetMs(new Date(naive + 12 * 3_600_000), timeZone);
    return new Date(Math.max(before, after));
  }
  return new Date(guess);
}

/** Start of the local calendar day containing `instant`. */
export function localDayStart(instant: Date, timeZone: string): Date {
  const w = wallTime(instant, timeZone);
  return instantOf(w.year, w.month, w.day, 0, 0, timeZone);
}

/** Start of the local week (Monday by default) containing `instant`. */
export function localWeekStart(instant: Date, timeZone: string, weekStartsOn = 1): Date {
  const w = wallTime(instant, timeZone);
  const back = (w.weekday - weekStartsOn + 7) % 7;
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day - back));
  return instantOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, timeZone);
}

/** "YYYY-MM-DD" of the local day, for explanations. */
export function localDate(instant: Date, timeZone: string): string {
  const w = wallTime(instant, timeZone);
  return `${w.year}-${String(w.month).padStart(2, "0")}-${String(w.day).padStart(2, "0")}`;
}

/**
 * If `instant` falls inside the quiet window [start, end) (local "HH:MM", may cross midnight), the instant
 * the window ends; otherwise null.
 */
export function quietHoursEnd(instant: Date, timeZone: string, start: string, end: string): Date | null {
  const [sh, sm] = start.split(":").map(Number);
  const [eh, em] = end.split(":").map(Number);
  const w = wallTime(instant, timeZone);
  const now = w.hour * 60 + w.minute;
  const s = sh * 60 + sm;
  const e = eh * 60 + em;
  if (s === e) return null;
  const inside = s < e ? now >= s && now < e : now >= s || now < e;
  if (!inside) return null;
  // The end is today if it is later today, else tomorrow (a window crossing midnight, evening side).
  const endsTomorrow = s > e && now >= s;
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + (endsTomorrow ? 1 : 0)));
  return instantOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), eh, em, timeZone);
}
