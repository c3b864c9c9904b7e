/**
 * Events whose matching failed on its own after every attempt (poison, see src/queue/isolate-failures.ts): the
 * failure is recorded on the event, which takes it out of the outbox (the sweeper skips it) until an operator
 * retries it (src/maintenance/failures.ts).
 */
import type { Pool } from "pg";

/** Longest error text kept on a row: enough for the message and its cause, never a dump. */
const MAX_ERROR_LENGTH = 1_000;

/** Marks still-unmatched events as failed with their errors; returns the ids marked. */
export async function markEventsMatchFailed(pool: Pool, failures: Array<{ eventId: string; error: string }>, at: Date): Promise<string[]> {
  if (failures.length === 0) return [];
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE events e SET match_failed_at = $3, match_error = f.error
       FROM unnest($1::text[], $2::text[]) AS f(id, error)
      WHERE e.id = f.id AND e.matched_at IS NULL
      RETURNING e.id`,
    [failures.map((f) => f.eventId), failures.map((f) => f.error.slice(0, MAX_ERROR_LENGTH)), at],
  );
  return rows.map((r) => r.id);
}
