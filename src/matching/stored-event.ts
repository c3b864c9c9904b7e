/** Reads and marks stored events for matching. */
import type { Pool, PoolClient } from "pg";

export interface StoredEvent {
  id: string;
  type: string;
  learnerId: string;
  courseId: string | null;
  moduleId: string | null;
  occurredAt: Date;
  properties: Record<string, unknown>;
  matchedAt: Date | null;
}

/** One event by id, or null. */
export async function loadStoredEvent(db: Pool | PoolClient, id: string): Promise<StoredEvent | null> {
  const { rows } = await db.query(`SELECT id, type, learner_id, course_id, module_id, occurred_at, properties, matched_at FROM events WHERE id = $1`, [id]);
  const r = rows[0];
  if (!r) return null;
  return { id: r.id, type: r.type, learnerId: r.learner_id, courseId: r.course_id, moduleId: r.module_id, occurredAt: r.occurred_at, properties: r.properties ?? {}, matchedAt: r.matched_at };
}

/** Takes the event out of the outbox (the sweeper ignores matched events). */
export async function markEventMatched(db: Pool | PoolClient, id: string, at: Date): Promise<void> {
  await db.query(`UPDATE events SET matched_at = $2 WHERE id = $1 AND matched_at IS NULL`, [id, at]);
}
