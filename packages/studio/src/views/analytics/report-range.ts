/**
 * The analytics page's date range: whole local days in the viewer's time zone, both ends included, as people
 * mean "from Monday to Sunday". The API's `to` is exclusive, so the request sends the day after the last one,
 * with the viewer's zone so that the engine cuts days at the viewer's midnights (and groups `day` the same way).
 */
import { formatDay } from "./format";

export interface ReportRange {
  /** First day shown, YYYY-MM-DD (local). */
  from: string;
  /** Last day shown, included, YYYY-MM-DD (local). */
  to: string;
  timeZone: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Longest range the charts draw day by day. */
export const MAX_RANGE_DAYS = 366;

/** Today's date in `timeZone`, YYYY-MM-DD. */
export function todayIn(timeZone: string, now = new Date()): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** `day` plus `n` days (calendar arithmetic, no zone involved). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysOf(range: Pick<ReportRange, "from" | "to">): string[] {
  const days: string[] = [];
  for (let day = range.from; day <= range.to && days.length <= MAX_RANGE_DAYS; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The last `days` days up to today, in `timeZone`. */
export function lastDays(days: number, timeZone: string, now = new Date()): ReportRange {
  const to = todayIn(timeZone, now);
  return { from: addDays(to, -(days - 1)), to, timeZone };
}

/** What is wrong with a range, per field, in words (empty when it is fine). */
export function rangeProblems(range: Pick<ReportRange, "from" | "to">): { from?: string; to?: string } {
  if (!DAY.test(range.from)) return { from: "Choose a start date." };
  if (!DAY.test(range.to)) return { to: "Choose an end date." };
  if (range.to < range.from) return { to: "The end date is before the start date." };
  if (daysOf(range).length > MAX_RANGE_DAYS) return { to: `Choose at most ${MAX_RANGE_DAYS} days.` };
  return {};
}

/** The query parameters for the API: `to` is the day after the last day (exclusive), in the viewer's zone. */
export function rangeParameters(range: ReportRange): URLSearchParams {
  return new URLSearchParams({ from: range.from, to: addDays(range.to, 1), timezone: range.timeZone });
}

/** "24 Nov 2026 to 30 Nov 2026 (7 days, both included), in your time zone, Europe/Paris". */
export function describeRange(range: ReportRange): string {
  const n = daysOf(range).length;
  const days = range.from === range.to ? `${formatDay(range.from)} (one day)` : `${formatDay(range.from)} to ${formatDay(range.to)} (${n} days, both included)`;
  return `${days}, in your time zone, ${range.timeZone}`;
}
