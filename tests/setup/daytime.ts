/** A time zone where it is early afternoon now, so a test's nudge is never held by the default quiet hours. */
export function daytimeTimeZone(now = new Date()): string {
  // Etc/GMT zones invert the sign: Etc/GMT-5 is UTC+5. Local 13:00 = UTC hour + offset.
  const offset = Math.max(-12, Math.min(14, 13 - now.getUTCHours()));
  if (offset === 0) return "UTC";
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}
