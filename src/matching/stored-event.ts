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

/** The events of these ids that exist, in the order asked (each once). */
export async function loadStoredEvents(db: Pool | PoolClient, ids: string[]): Promise<StoredEvent[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query(
    `SELECT e.id, type, learner_id, course_id, module_id, occurred_at, properties, matched_at
       FROM (SELECT DISTINCT ON (id) id, n FROM unnest($1::text[]) WITH ORDINALITY AS k(id, n) ORDER BY id, n) k JOIN events e ON e.id = k.id
      ORDER BY k.n`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    learnerId: r.learner_id,
    courseId: r.course_id,
    moduleId: r.module_id,
    occurredAt: r.occurred_at,
    properties: r.properties ?? {},
    matchedAt: r.matched_at,
  }));
}

/** Takes events out of the outbox (the sweeper ignores matched events). */
export async function markEventsMatched(db: Pool | PoolClient, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`UPDATE events SET matched_at = $2 WHERE id = ANY($1::text[]) AND matched_at IS NULL`, [ids, at]);
}
