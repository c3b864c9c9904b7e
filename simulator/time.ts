/** Simulated time helpers. */

/** The UTC hour matching a local hour in a zone on a given date (fixed for the run: the run avoids DST changes). */
export function localHourToUtc(localHour: number, timezone: string, on: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hour: "numeric", hourCycle: "h23" }).formatToParts(on);
  const zoneHourAtUtcMidnightish = Number(parts.find((p) => p.type === "hour")!.value);
  const offset = zoneHourAtUtcMidnightish - on.getUTCHours();
  return (((localHour - offset) % 24) + 24) % 24;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
