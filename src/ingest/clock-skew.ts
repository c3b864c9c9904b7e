/** Segment-style clock-skew correction: trust the server's clock for "when", the client's for "how long ago". */

export const MAX_FUTURE_MS = 60 * 60 * 1000;

/** `receivedAt − (sentAt − occurredAt)` when the client said when it sent; otherwise occurredAt as given. */
export function correctClockSkew(occurredAt: Date, sentAt: Date | null, receivedAt: Date): Date {
  if (!sentAt) return occurredAt;
  return new Date(receivedAt.getTime() - (sentAt.getTime() - occurredAt.getTime()));
}
