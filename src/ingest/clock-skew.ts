/**
 * Segment-style clock-skew correction: trust the server's clock for "when", the client's for "how long ago" —
 * within bounds that keep the arithmetic inside what PostgreSQL stores and what a course can mean. A client
 * clock may be wrong (a device reset to 1970 is why correction exists), but not by centuries: `occurredAt` and
 * `sentAt` as sent lie in [EARLIEST_CLIENT_TIME, LATEST_CLIENT_TIME), and the corrected time in
 * [EARLIEST_CLIENT_TIME, receivedAt + MAX_FUTURE_MS]. So `occurredAt` 0001-01-01 with `sentAt` 9999-12-31 is a
 * 400 naming the field, never a BC timestamp (PostgreSQL: out of range; before 1970: nonsense for an event).
 */

export const MAX_FUTURE_MS = 60 * 60 * 1000;
/** No learning event happened before the Unix epoch; it is also where a device with a reset clock starts. */
export const EARLIEST_CLIENT_TIME = new Date("1970-01-01T00:00:00Z");
/** Exclusive: a client clock past 2199 is broken, and its difference to occurredAt cannot be trusted either. */
export const LATEST_CLIENT_TIME = new Date("2200-01-01T00:00:00Z");

/** True when a time sent by a client is within [EARLIEST_CLIENT_TIME, LATEST_CLIENT_TIME). */
export function isPlausibleClientTime(at: Date): boolean {
  const t = at.getTime();
  return t >= EARLIEST_CLIENT_TIME.getTime() && t < LATEST_CLIENT_TIME.getTime();
}

/** `receivedAt − (sentAt − occurredAt)` when the client said when it sent; otherwise occurredAt as given. */
export function correctClockSkew(occurredAt: Date, sentAt: Date | null, receivedAt: Date): Date {
  if (!sentAt) return occurredAt;
  return new Date(receivedAt.getTime() - (sentAt.getTime() - occurredAt.getTime()));
}

/** Why a corrected occurredAt is refused, or null when it is within [EARLIEST_CLIENT_TIME, receivedAt + 1 h]. */
export function correctedTimeProblem(occurredAt: Date, receivedAt: Date): string | null {
  if (occurredAt.getTime() - receivedAt.getTime() > MAX_FUTURE_MS) return "is more than 1 hour in the future (after clock-skew correction)";
  if (occurredAt.getTime() < EARLIEST_CLIENT_TIME.getTime()) return "is before 1970-01-01 after clock-skew correction (sentAt − occurredAt is longer than the time since 1970)";
  return null;
}
