/**
 * The time window and the calendar of an analytics report. An analyst reads days in their own time zone:
 * "1 to 7 December" means those local days, and a chart's bars are local days too. So a report may name an
 * IANA `timezone`; its date-only bounds are that zone's midnights and its `day` groups are local dates.
 * Without one, days are UTC days (what the `analytics` views show). `from` is inclusive, `to` exclusive.
 */
import { z } from "zod";
import { isValidTimeZone } from "../lib/timezones";
import { instantOf } from "../throttle/local-time";

export const DEFAULT_REPORT_TIMEZONE = "UTC";

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date (YYYY-MM-DD, a midnight in the report's zone) or an instant with an offset. */
const instant = z.iso.datetime({ offset: true });
const day = z.iso.date();
export const reportBound = z
  .string()
  .refine((v) => instant.safeParse(v).success || day.safeParse(v).success, { message: "must be a date (YYYY-MM-DD) or an instant with an offset (2026-11-30T09:00:00Z)" })
  .optional();

/** An IANA zone name, e.g. Europe/Paris. */
export const reportTimeZone = z.string().max(64).refine(isValidTimeZone, { message: "must be an IANA time zone such as Europe/Paris" }).optional();

/**
 * The instant a bound stands for: a date-only bound is the start of that local day in `timeZone` (so a
 * range of local days does not shift by the viewer's offset); an instant is taken as given.
 */
export function boundInstant(value: string | undefined, timeZone: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = DATE_ONLY.exec(value);
  if (!date) return new Date(value);
  return instantOf(Number(date[1]), Number(date[2]), Number(date[3]), 0, 0, timeZone);
}
