/** Pages through a segment's current members by learner id (keyset pagination: no OFFSET scans). */
import type { Pool } from "pg";

export interface MemberPage {
  members: Array<{ learnerId: string; addedAt: string | null }>;
  nextCursor: string | null;
}

/** Stored members of a static or SQL segment after `cursor`, in learner id order. */
export async function listStoredMembers(pool: Pool, segmentKey: string, limit: number, cursor: string | undefined): Promise<MemberPage> {
  const { rows } = await pool.query<{ learner_id: string; added_at: Date }>(
    `SELECT learner_id, added_at FROM segment_members WHERE segment_key = $1 AND ($2::text IS NULL OR learner_id > $2) ORDER BY learner_id LIMIT $3`,
    [segmentKey, cursor ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    members: page.map((r) => ({ learnerId: r.learner_id, addedAt: r.added_at.toISOString() })),
    nextCursor: rows.length > limit ? page[page.length - 1].learner_id : null,
  };
}
