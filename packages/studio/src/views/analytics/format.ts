/**
 * Numbers, rates and times as an analyst reads them: grouped digits, percentages with their 95% interval,
 * dates in the viewer's zone. A missing figure is said in words ("no votes yet"), never printed as "null".
 */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
const points = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1, signDisplay: "exceptZero" });

/** 12,345 */
export function formatCount(n: number | null | undefined): string {
  return typeof n === "number" && Number.isFinite(n) ? integer.format(n) : "0";
}

/** 42.5%, or `missing` when there is no rate (nothing delivered, no votes). */
export function formatRate(rate: number | null | undefined, missing = "n/a"): string {
  return typeof rate === "number" && Number.isFinite(rate) ? percent.format(rate) : missing;
}

/** A probability near certainty is not "100%": "over 99.9%", "under 0.1%". */
export function formatProbability(p: number): string {
  if (p >= 0.999) return "over 99.9%";
  if (p <= 0.001) return "under 0.1%";
  return formatRate(p);
}

/** "35.1–49.0%" for a [lo, hi] interval of proportions. */
export function formatInterval(ci: readonly [number, number] | null | undefined): string {
  if (!ci) return "";
  const [lo, hi] = ci.map((x) => Math.round(x * 1000) / 10);
  return `${lo}–${hi}%`;
}

/** "42.5% (95% CI 35.1–49.0%)", or `missing` when there is no rate. */
export function formatRateWithInterval(rate: number | null | undefined, ci: readonly [number, number] | null | undefined, missing = "n/a"): string {
  if (typeof rate !== "number") return missing;
  return ci ? `${formatRate(rate)} (95% CI ${formatInterval(ci)})` : formatRate(rate);
}

/** A difference of proportions in percentage points: "+10.2 points". */
export function formatPoints(difference: number): string {
  return `${points.format(difference * 100)} points`;
}

/** A p-value as people quote it: "p = 0.036", "p < 0.001". */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return "p unknown";
  return p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`;
}

/** The viewer's IANA time zone (what the browser reports), e.g. "Europe/Paris". */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const zonedTimes = new Map<string, Intl.DateTimeFormat>();
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
const shortDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/** An instant in the viewer's zone: "30 Nov 2026, 14:05". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** The wall-clock time of an instant in another zone (e.g. the learner's): "23:10". */
export function formatTimeIn(iso: string, timeZone: string): string {
  let f = zonedTimes.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone });
    } catch {
      return "";
    }
    zonedTimes.set(timeZone, f);
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : f.format(d);
}

/** A calendar date "YYYY-MM-DD" as words: "30 Nov 2026" (no zone shift: it already is a local date). */
export function formatDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : dayFormat.format(d);
}

/** A calendar date "YYYY-MM-DD" for an axis: "30 Nov". */
export function formatShortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : shortDay.format(d);
}

/** A group value for display: the key itself, or words for the rows that have none. */
export function formatGroup(value: unknown, group: string): string {
  if (value === null || value === undefined || value === "") return group === "segment" ? "(no segment)" : group === "course" ? "(no course)" : "(none)";
  return String(value);
}
