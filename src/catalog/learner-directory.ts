/**
 * Courses and learners to choose from in the studio (a preview "for a real learner", a course picker): the
 * recently active first, or learners whose id starts with what was typed. Reads indexes only: the recent
 * ones from learner_course_state (last_activity_at), the typed ones from the learners' primary key.
 */
import type { Pool } from "pg";

export interface CourseSummary {
  courseId: string;
  lastActivityAt: Date | null;
}

export interface LearnerSummary {
  id: string;
  name: string | null;
  locale: string | null;
  timezone: string | null;
  lastActivityAt: Date | null;
}

/** Courses listed, at most. */
export const MAX_COURSES = 500;

/** Courses with activity, most recently active first (a loose index scan over the distinct course ids). */
export async function listCourses(pool: Pool): Promise<CourseSummary[]> {
  const { rows } = await pool.query<{ course_id: string; last_activity_at: Date | null }>(
    `WITH RECURSIVE courses(course_id) AS (
       (SELECT course_id FROM learner_course_state ORDER BY course_id LIMIT 1)
       UNION ALL
       SELECT (SELECT s.course_id FROM learner_course_state s WHERE s.course_id > c.course_id ORDER BY s.course_id LIMIT 1)
         FROM courses c WHERE c.course_id IS NOT NULL
     )
     SELECT c.course_id, (SELECT max(s.last_activity_at) FROM learner_course_state s WHERE s.course_id = c.course_id) AS last_activity_at
       FROM (SELECT course_id FROM courses WHERE course_id IS NOT NULL LIMIT ${MAX_COURSES}) c`,
  );
  return rows
    .map((r) => ({ courseId: r.course_id, lastActivityAt: r.last_activity_at }))
    .sort((a, b) => (b.lastActivityAt?.getTime() ?? 0) - (a.lastActivityAt?.getTime() ?? 0) || a.courseId.localeCompare(b.courseId));
}

export interface LearnerQuery {
  /** A prefix of the learner id. */
  q?: string;
  courseId?: string;
  limit: number;
}

/** Learners whose id starts with `q`, or else the most recently active (in `courseId` when given). */
export async function listLearners(pool: Pool, query: LearnerQuery): Promise<LearnerSummary[]> {
  if (query.q) {
    // A range on the primary key, then the exact prefix test (the range alone depends on the collation).
    const { rows } = await pool.query<{ id: string; name: string | null; locale: string | null; timezone: string | null; last_activity_at: Date | null }>(
      `SELECT l.id, l.name, l.locale, l.timezone,
              (SELECT max(s.last_activity_at) FROM learner_course_state s WHERE s.learner_id = l.id) AS last_activity_at
         FROM learners l WHERE l.id >= $1 AND starts_with(l.id, $1)
          AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM learner_course_state s WHERE s.learner_id = l.id AND s.course_id = $3))
        ORDER BY l.id LIMIT $2`,
      [query.q, query.limit, query.courseId ?? null],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, locale: r.locale, timezone: r.timezone, lastActivityAt: r.last_activity_at }));
  }
  // Newest activity first; a learner active in several courses appears once (hence the wider inner read).
  const { rows } = await pool.query<{ id: string; name: string | null; locale: string | null; timezone: string | null; last_activity_at: Date }>(
    `SELECT l.id, l.name, l.locale, l.timezone, r.last_activity_at
       FROM (SELECT DISTINCT ON (learner_id) learner_id, last_activity_at FROM (
               SELECT learner_id, last_activity_at FROM learner_course_state
                WHERE ($2::text IS NULL OR course_id = $2) ORDER BY last_activity_at DESC LIMIT $1 * 5) recent
              ORDER BY learner_id, last_activity_at DESC) r
       JOIN learners l ON l.id = r.learner_id
      ORDER BY r.last_activity_at DESC, l.id LIMIT $1`,
    [query.limit, query.courseId ?? null],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, locale: r.locale, timezone: r.timezone, lastActivityAt: r.last_activity_at }));
}
