/**
 * The time zone a demo learner lives in: one where it is daytime now and stays outside the policy's quiet
 * hours for the next hours, so a newcomer trying the studio at 23:00 still sees the welcome nudge within
 * seconds instead of at 08:00 (quiet hours defer nudges to the learner's morning). Pure: time is a parameter.
 */
import { quietHoursEnd, wallTime } from "../throttle/local-time";

/** Zones around the world, roughly an hour apart: at any instant several are in their early afternoon. */
export const DEMO_ZONES = [
  "Pacific/Kiritimati",
  "Pacific/Auckland",
  "Pacific/Noumea",
  "Australia/Sydney",
  "Australia/Brisbane",
  "Asia/Tokyo",
  "Asia/Shanghai",
  "Asia/Bangkok",
  "Asia/Dhaka",
  "Asia/Kolkata",
  "Asia/Karachi",
  "Asia/Dubai",
  "Europe/Moscow",
  "Europe/Athens",
  "Europe/Paris",
  "Europe/London",
  "Atlantic/Azores",
  "Atlantic/South_Georgia",
  "America/Sao_Paulo",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "America/Anchorage",
  "Pacific/Honolulu",
  "Pacific/Pago_Pago",
] as const;

/** How long after `now` the chosen zone must stay outside quiet hours: time to try every button. */
const CLEAR_FOR_MS = 3 * 3_600_000;

export interface DaytimeZone {
  timeZone: string;
  /** "14:05": the learner's wall-clock time at `now`. */
  localTime: string;
}

/**
 * The zone whose local time is nearest 13:00 among those outside quiet hours now and for the next three
 * hours (any zone in daytime when there are no quiet hours).
 */
export function pickDaytimeZone(now: Date, quietHours: { start: string; end: string } | null): DaytimeZone {
  const later = new Date(now.getTime() + CLEAR_FOR_MS);
  const scored = DEMO_ZONES.map((timeZone) => {
    const w = wallTime(now, timeZone);
    const minutes = w.hour * 60 + w.minute;
    const quiet = quietHours !== null && (quietHoursEnd(now, timeZone, quietHours.start, quietHours.end) !== null || quietHoursEnd(later, timeZone, quietHours.start, quietHours.end) !== null);
    return { timeZone, quiet, distance: Math.abs(minutes - 13 * 60), localTime: `${String(w.hour).padStart(2, "0")}:${String(w.minute).padStart(2, "0")}` };
  });
  const best = scored.filter((z) => !z.quiet).sort((a, b) => a.distance - b.distance)[0] ?? scored.sort((a, b) => a.distance - b.distance)[0];
  return { timeZone: best.timeZone, localTime: best.localTime };
}
