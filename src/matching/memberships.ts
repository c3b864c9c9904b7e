/** Segment memberships of one learner among the segments that candidate rules target. */
import type { Pool } from "pg";

/** The subset of `segmentKeys` the learner belongs to (static and SQL segments' stored members). */
export async function loadMemberships(pool: Pool, learnerId: string, segmentKeys: string[]): Promise<Set<string>> {
  if (segmentKeys.length === 0) return new Set();
  const { rows } = await pool.query<{ segment_key: string }>(
    `SELECT segment_key FROM segment_members WHERE learner_id = $1 AND segment_key = ANY($2::text[])`,
    [learnerId, [...new Set(segmentKeys)]],
  );
  return new Set(rows.map((r) => r.segment_key));
}
