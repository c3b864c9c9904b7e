/**
 * Everything the engine knows about one learner in one course, loaded in one query (for a whole batch too):
 * profile, per-course state, latest goal, self-assessments and data-science insights. Matching reads it
 * as condition fields, delivery and preview render from it. Course-specific insights override global ones.
 */
import type { Pool } from "pg";

export interface LearnerSnapshot {
  learner: { id: string; name: string | null; locale: string | null; timezone: string | null; attributes: Record<string, unknown> } | null;
  state: {
    eventCount: number;
    eventCounts: Record<string, number>;
    firstActivityAt: string | null;
    lastActivityAt: string | null;
    daysSinceLastActivity: number | null;
  };
  goal: { text: string; createdAt: string } | null;
  /** By module id (or "course" when none): the latest rating; `latest` is the most recent of all. */
  assessments: Record<string, { rating: number; scaleMin: number; scaleMax: number; createdAt: string }>;
  insights: Record<string, { value: unknown; score: number | null; metadata: Record<string, unknown> }>;
}

/** The snapshot query's one row, as JSON (timestamps are ISO strings). */
interface SnapshotRow {
  learner: { id: string; name: string | null; locale: string | null; timezone: string | null; attributes: Record<string, unknown> | null } | null;
  state: { event_count: number; event_counts: Record<string, number> | null; first_activity_at: string | null; last_activity_at: string | null } | null;
  goal: { text: string; created_at: string } | null;
  assessments: Array<{ module: string; rating: number; scale_min: number; scale_max: number; created_at: string }> | null;
  insights: Array<{ key: string; value: unknown; score: number | null; metadata: Record<string, unknown> | null }> | null;
}

/** Loads a learner's snapshot for a course (courseId null: course-less data only), in one query. */
export async function loadLearnerSnapshot(pool: Pool, learnerId: string, courseId: string | null, now: Date): Promise<LearnerSnapshot> {
  const [snapshot] = await loadLearnerSnapshots(pool, [{ learnerId, courseId }], now);
  return snapshot;
}

export interface SnapshotKey {
  learnerId: string;
  courseId: string | null;
  /** Only the learner's profile is read (state, goal, assessments and insights come back empty): for a caller that reads nothing else. */
  profileOnly?: boolean;
  /** The per-course state is not read (it comes back empty): rendering does not see it (templates/render-context.ts). */
  withoutState?: boolean;
}

/** The snapshots of many (learner, course) pairs in one query, in the order asked. */
export async function loadLearnerSnapshots(pool: Pool, keys: SnapshotKey[], now: Date): Promise<LearnerSnapshot[]> {
  if (keys.length === 0) return [];
  // One round trip for a whole batch: matching and delivery both need a snapshot for every nudge.
  // Timestamps come back as JSON strings and are parsed below.
  const { rows } = await pool.query<SnapshotRow>(
    `SELECT
       (SELECT row_to_json(l) FROM (SELECT id, name, locale, timezone, attributes FROM learners WHERE id = k.learner_id) l) AS learner,
       CASE WHEN NOT k.profile_only AND NOT k.without_state THEN (SELECT row_to_json(s) FROM (SELECT event_count, event_counts, first_activity_at, last_activity_at
                                      FROM learner_course_state WHERE learner_id = k.learner_id AND course_id = k.course_id) s) END AS state,
       CASE WHEN NOT k.profile_only THEN (SELECT row_to_json(g) FROM (SELECT text, created_at FROM goals WHERE learner_id = k.learner_id AND course_id = k.course_id
                                     ORDER BY created_at DESC, id DESC LIMIT 1) g) END AS goal,
       CASE WHEN NOT k.profile_only THEN (SELECT json_agg(a) FROM (SELECT DISTINCT ON (COALESCE(module_id, 'course')) COALESCE(module_id, 'course') AS module, rating, scale_min, scale_max, created_at
                                   FROM self_assessments WHERE learner_id = k.learner_id AND course_id = k.course_id
                                  ORDER BY COALESCE(module_id, 'course'), created_at DESC, id DESC) a) END AS assessments,
       CASE WHEN NOT k.profile_only THEN (SELECT json_agg(i ORDER BY i.course_id) FROM (SELECT course_id, key, value, score, metadata FROM insights
                                                      WHERE learner_id = k.learner_id AND course_id IN ('', k.course_id)) i) END AS insights
       FROM unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[]) WITH ORDINALITY AS k(learner_id, course_id, profile_only, without_state, n)
      ORDER BY k.n`,
    [keys.map((k) => k.learnerId), keys.map((k) => k.courseId ?? ""), keys.map((k) => k.profileOnly === true), keys.map((k) => k.withoutState === true)],
  );
  return rows.map((row) => toSnapshot(row, now));
}

function toSnapshot(row: SnapshotRow, now: Date): LearnerSnapshot {
  const { learner: l, state: s, goal, assessments, insights } = row;
  const lastActivity = s?.last_activity_at ? new Date(s.last_activity_at) : null;
  const assessmentMap: LearnerSnapshot["assessments"] = {};
  let latest: LearnerSnapshot["assessments"][string] | undefined;
  for (const a of assessments ?? []) {
    const entry = { rating: a.rating, scaleMin: a.scale_min, scaleMax: a.scale_max, createdAt: new Date(a.created_at).toISOString() };
    assessmentMap[a.module] = entry;
    if (!latest || entry.createdAt > latest.createdAt) latest = entry;
  }
  if (latest) assessmentMap.latest = latest;
  const insightMap: LearnerSnapshot["insights"] = {};
  // Ordered by course_id: '' (global) first, so a course-specific row overwrites it.
  for (const i of insights ?? []) insightMap[i.key] = { value: i.value, score: i.score, metadata: i.metadata ?? {} };
  return {
    learner: l ? { id: l.id, name: l.name, locale: l.locale, timezone: l.timezone, attributes: l.attributes ?? {} } : null,
    state: {
      eventCount: s?.event_count ?? 0,
      eventCounts: s?.event_counts ?? {},
      firstActivityAt: s?.first_activity_at ? new Date(s.first_activity_at).toISOString() : null,
      lastActivityAt: lastActivity?.toISOString() ?? null,
      daysSinceLastActivity: lastActivity ? Math.floor((now.getTime() - lastActivity.getTime()) / 86_400_000) : null,
    },
    goal: goal ? { text: goal.text, createdAt: new Date(goal.created_at).toISOString() } : null,
    assessments: assessmentMap,
    insights: insightMap,
  };
}
