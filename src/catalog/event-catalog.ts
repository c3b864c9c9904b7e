/**
 * What content staff pick from when they write rules and preview templates: the event types a course has
 * seen (with the latest event of each, whose properties a preview can use as its sample) and recent stored
 * events (what a rule can be test-matched against). Every read walks the events index (course_id, type,
 * occurred_at) as a loose index scan: distinct (course, type) pairs, then the newest rows of each, so the
 * cost follows the number of pairs asked about, not the number of events stored.
 */
import type { Pool } from "pg";

/** (course, type) pairs a read looks at, at most: a catalog, not an export. */
export const MAX_PAIRS = 2_000;

export interface StoredEventSummary {
  id: string;
  type: string;
  learnerId: string;
  courseId: string | null;
  moduleId: string | null;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

export interface SeenEventType {
  type: string;
  /** When an event of this type last occurred (in the course asked about, or in any course). */
  lastSeenAt: Date;
  /** How many courses have seen it (1 when a course was asked about). */
  courses: number;
  /** The newest event of this type: its properties are a realistic sample for previews. */
  latest: StoredEventSummary;
}

interface EventRow {
  id: string;
  type: string;
  learner_id: string;
  course_id: string | null;
  module_id: string | null;
  occurred_at: Date;
  properties: Record<string, unknown> | null;
}

const summary = (r: EventRow): StoredEventSummary => ({
  id: r.id,
  type: r.type,
  learnerId: r.learner_id,
  courseId: r.course_id,
  moduleId: r.module_id,
  occurredAt: r.occurred_at,
  properties: r.properties ?? {},
});

/**
 * The distinct (course_id, type) pairs of stored events, optionally for one course, walked through the index
 * one step per pair (PostgreSQL has no skip scan of its own). $1: course id or null.
 */
const PAIRS = `
  WITH RECURSIVE pairs AS (
    (SELECT course_id, type FROM events WHERE course_id IS NOT NULL AND ($1::text IS NULL OR course_id = $1) ORDER BY course_id, type LIMIT 1)
    UNION ALL
    SELECT n.course_id, n.type FROM pairs p CROSS JOIN LATERAL (
      SELECT e.course_id, e.type FROM events e
       WHERE (e.course_id, e.type) > (p.course_id, p.type) AND ($1::text IS NULL OR e.course_id = $1)
       ORDER BY e.course_id, e.type LIMIT 1) n
  )`;

/** Event types seen (in `courseId`, or in any course), newest first, each with its latest event. */
export async function listSeenEventTypes(pool: Pool, courseId: string | null): Promise<SeenEventType[]> {
  const { rows } = await pool.query<EventRow>(
    `${PAIRS}
     SELECT l.* FROM (SELECT * FROM pairs LIMIT ${MAX_PAIRS}) p
     CROSS JOIN LATERAL (SELECT id, type, learner_id, course_id, module_id, occurred_at, properties FROM events e
                          WHERE e.course_id = p.course_id AND e.type = p.type ORDER BY e.occurred_at DESC LIMIT 1) l`,
    [courseId],
  );
  const byType = new Map<string, SeenEventType>();
  for (const row of rows) {
    const seen = byType.get(row.type);
    if (!seen) byType.set(row.type, { type: row.type, lastSeenAt: row.occurred_at, courses: 1, latest: summary(row) });
    else {
      seen.courses++;
      if (row.occurred_at > seen.lastSeenAt) Object.assign(seen, { lastSeenAt: row.occurred_at, latest: summary(row) });
    }
  }
  return [...byType.values()].sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || a.type.localeCompare(b.type));
}

export interface RecentEventsQuery {
  type?: string;
  courseId?: string;
  learnerId?: string;
  limit: number;
}

/** The newest stored events matching the filters, newest first. */
export async function listRecentEvents(pool: Pool, query: RecentEventsQuery): Promise<StoredEventSummary[]> {
  const columns = "id, type, learner_id, course_id, module_id, occurred_at, properties";
  if (query.learnerId) {
    // The learner's own index: (learner_id, occurred_at).
    const { rows } = await pool.query<EventRow>(
      `SELECT ${columns} FROM events WHERE learner_id = $1 AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR course_id = $3)
        ORDER BY occurred_at DESC LIMIT $4`,
      [query.learnerId, query.type ?? null, query.courseId ?? null, query.limit],
    );
    return rows.map(summary);
  }
  // The newest `limit` of each matching (course, type) pair, merged: never a sort of a course's whole history.
  const { rows } = await pool.query<EventRow>(
    `${PAIRS}
     SELECT l.* FROM (SELECT * FROM pairs WHERE $2::text IS NULL OR type = $2 LIMIT ${MAX_PAIRS}) p
     CROSS JOIN LATERAL (SELECT ${columns} FROM events e WHERE e.course_id = p.course_id AND e.type = p.type ORDER BY e.occurred_at DESC LIMIT $3) l
     ORDER BY l.occurred_at DESC, l.id LIMIT $3`,
    [query.courseId ?? null, query.type ?? null, query.limit],
  );
  return rows.map(summary);
}

/** One stored event, or null. */
export async function findStoredEvent(pool: Pool, id: string): Promise<StoredEventSummary | null> {
  const { rows } = await pool.query<EventRow>(`SELECT id, type, learner_id, course_id, module_id, occurred_at, properties FROM events WHERE id = $1`, [id]);
  return rows[0] ? summary(rows[0]) : null;
}
