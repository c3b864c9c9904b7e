/**
 * The learner timeline's one statement: every table that records something about a learner, as rows of one
 * shape, newest first, one page at a time. Each branch reads its table through the learner's index, already
 * ordered and limited, so a page costs a few index scans whatever the learner's history holds.
 *
 * Paging is by keyset on (at, id): `id` is unique across branches (a prefix per kind), compared in the "C"
 * collation so the order never depends on the database's locale.
 */

/** The kinds of entry, in the order of the branches below. */
export const TIMELINE_TYPES = ["event", "matched", "held_out", "suppressed", "deferred", "delivered", "failed", "feedback", "goal", "self_assessment"] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

export interface TimelineRow {
  type: TimelineType;
  id: string;
  at: Date;
  course_id: string | null;
  rule_key: string | null;
  message_id: string | null;
  event_id: string | null;
  event_type: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

/** Parameters: $1 learner, $2 before-at (or null), $3 before-id, $4 limit, $5 types, $6 course (or null). */
// The first conjunct is the index range (sargable whatever $2 is); the second the exact keyset.
const page = (at: string, id: string) => `${at} <= COALESCE($2::timestamptz, 'infinity') AND ($2::timestamptz IS NULL OR ${at} < $2 OR (${at} = $2 AND (${id}) COLLATE "C" < $3))`;
const course = (column: string) => `($6::text IS NULL OR ${column} = $6)`;
const order = (at: string, id: string) => `ORDER BY ${at} DESC, (${id}) COLLATE "C" DESC LIMIT $4`;
const wants = (...types: TimelineType[]) => `$5::text[] && ARRAY[${types.map((t) => `'${t}'`).join(", ")}]`;
const messageData = `jsonb_build_object('title', m.title, 'templateKey', m.template_key, 'templateVersion', m.template_version, 'variant', m.variant,
  'kind', m.kind::text, 'status', m.status::text, 'assignment', m.assignment)`;

export const TIMELINE_SQL = `
SELECT * FROM (
  (SELECT 'event' AS type, 'evt:' || e.id AS id, e.occurred_at AS at, e.course_id, NULL::text AS rule_key, NULL::text AS message_id, e.id AS event_id,
          e.type AS event_type, NULL::text AS reason, jsonb_build_object('moduleId', e.module_id, 'properties', e.properties, 'receivedAt', e.received_at) AS data
     FROM events e
    WHERE ${wants("event")} AND e.learner_id = $1 AND ${course("e.course_id")} AND ${page("e.occurred_at", "'evt:' || e.id")}
    ${order("e.occurred_at", "'evt:' || e.id")})
  UNION ALL
  (SELECT CASE WHEN m.status = 'held_out' THEN 'held_out' ELSE 'matched' END, 'msg:' || m.id, m.created_at, m.course_id, m.rule_key, m.id::text, m.event_id,
          e.type, CASE WHEN m.status = 'held_out' THEN 'holdout' END, ${messageData} || jsonb_build_object('dueAt', m.due_at)
     FROM messages m LEFT JOIN events e ON e.id = m.event_id
    WHERE ${wants("matched", "held_out")} AND m.learner_id = $1 AND ${course("m.course_id")} AND ${page("m.created_at", "'msg:' || m.id")}
      AND (CASE WHEN m.status = 'held_out' THEN 'held_out' ELSE 'matched' END) = ANY($5)
    ${order("m.created_at", "'msg:' || m.id")})
  UNION ALL
  (SELECT s.outcome, 'dec:' || lpad(s.id::text, 20, '0'), s.created_at, s.course_id, s.rule_key, s.message_id::text, s.event_id,
          e.type, s.reason, jsonb_build_object('details', s.details, 'title', m.title, 'variant', m.variant)
     FROM suppressions s LEFT JOIN events e ON e.id = s.event_id LEFT JOIN messages m ON m.id = s.message_id
    WHERE ${wants("suppressed", "deferred")} AND s.learner_id = $1 AND s.outcome = ANY($5) AND ${course("s.course_id")}
      AND ${page("s.created_at", "'dec:' || lpad(s.id::text, 20, '0')")}
    ${order("s.created_at", "'dec:' || lpad(s.id::text, 20, '0')")})
  UNION ALL
  (SELECT 'delivered', 'dlv:' || m.id, m.delivered_at, m.course_id, m.rule_key, m.id::text, m.event_id, NULL, NULL, ${messageData}
     FROM messages m
    WHERE ${wants("delivered")} AND m.learner_id = $1 AND m.delivered_at IS NOT NULL AND ${course("m.course_id")} AND ${page("m.delivered_at", "'dlv:' || m.id")}
    ${order("m.delivered_at", "'dlv:' || m.id")})
  UNION ALL
  (SELECT 'failed', 'err:' || m.id, COALESCE(m.failed_at, m.created_at), m.course_id, m.rule_key, m.id::text, m.event_id, NULL, 'failed',
          ${messageData} || jsonb_build_object('error', m.error)
     FROM messages m
    WHERE ${wants("failed")} AND m.learner_id = $1 AND m.status = 'failed' AND ${course("m.course_id")}
      AND ${page("COALESCE(m.failed_at, m.created_at)", "'err:' || m.id")}
    ${order("COALESCE(m.failed_at, m.created_at)", "'err:' || m.id")})
  UNION ALL
  (SELECT 'feedback', 'fbk:' || lpad(f.id::text, 20, '0'), f.created_at, m.course_id, m.rule_key, f.message_id::text, m.event_id, NULL, NULL,
          jsonb_build_object('feedback', f.type, 'value', f.value, 'title', m.title, 'variant', m.variant)
     FROM feedback f LEFT JOIN messages m ON m.id = f.message_id
    WHERE ${wants("feedback")} AND f.learner_id = $1 AND ${course("m.course_id")} AND ${page("f.created_at", "'fbk:' || lpad(f.id::text, 20, '0')")}
    ${order("f.created_at", "'fbk:' || lpad(f.id::text, 20, '0')")})
  UNION ALL
  (SELECT 'goal', 'gol:' || lpad(g.id::text, 20, '0'), g.created_at, NULLIF(g.course_id, ''), NULL, g.message_id::text, NULL, NULL, NULL,
          jsonb_build_object('text', g.text)
     FROM goals g
    WHERE ${wants("goal")} AND g.learner_id = $1 AND ${course("g.course_id")} AND ${page("g.created_at", "'gol:' || lpad(g.id::text, 20, '0')")}
    ${order("g.created_at", "'gol:' || lpad(g.id::text, 20, '0')")})
  UNION ALL
  (SELECT 'self_assessment', 'asm:' || lpad(a.id::text, 20, '0'), a.created_at, NULLIF(a.course_id, ''), NULL, a.message_id::text, NULL, NULL, NULL,
          jsonb_build_object('rating', a.rating, 'scaleMin', a.scale_min, 'scaleMax', a.scale_max, 'moduleId', a.module_id)
     FROM self_assessments a
    WHERE ${wants("self_assessment")} AND a.learner_id = $1 AND ${course("a.course_id")} AND ${page("a.created_at", "'asm:' || lpad(a.id::text, 20, '0')")}
    ${order("a.created_at", "'asm:' || lpad(a.id::text, 20, '0')")})
) entries
ORDER BY at DESC, id COLLATE "C" DESC
LIMIT $4`;
