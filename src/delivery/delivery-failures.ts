/**
 * Messages whose delivery failed on its own after every attempt (poison, see src/queue/isolate-failures.ts):
 * status `failed` with the error and time on the row, like a template that cannot render, so the sweeper no
 * longer picks the message up and operators find it (src/maintenance/failures.ts).
 */
import type { Pool } from "pg";

/** Longest error text kept on a row: enough for the message and its cause, never a dump. */
const MAX_ERROR_LENGTH = 1_000;

/** Marks still-scheduled messages as failed with their errors; returns the ids marked. */
export async function markMessagesFailed(pool: Pool, failures: Array<{ messageId: string; error: string }>, at: Date): Promise<string[]> {
  if (failures.length === 0) return [];
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE messages m SET status = 'failed', error = f.error, failed_at = $3, attempts = m.attempts + 1
       FROM unnest($1::uuid[], $2::text[]) AS f(id, error)
      WHERE m.id = f.id AND m.status = 'scheduled'
      RETURNING m.id`,
    [failures.map((f) => f.messageId), failures.map((f) => f.error.slice(0, MAX_ERROR_LENGTH)), at],
  );
  return rows.map((r) => r.id);
}
