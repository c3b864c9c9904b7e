/** Scheduled messages whose due time passed without a delivery attempt: the delivery outbox. */
import type { Pool } from "pg";

/** Ids of messages still `scheduled` though due before `dueBefore`, oldest first. */
export async function findOverdueMessages(pool: Pool, dueBefore: Date, limit: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM messages WHERE status = 'scheduled' AND due_at < $1 ORDER BY due_at LIMIT $2`, [dueBefore, limit]);
  return rows.map((r) => r.id);
}
