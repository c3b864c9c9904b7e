/**
 * (1) recordEvents: store a validated batch durably, once, in one SQL statement. The database decides what is
 * a duplicate (primary key on event id, ON CONFLICT DO NOTHING), so concurrent retries of one batch cannot
 * double-count. Learner profiles and per-course state change in the same statement, from the events it
 * actually inserted (never from duplicates): data-modifying CTEs all apply or none do, like a transaction,
 * but in one round trip instead of six (BEGIN, events, learners, course state, COMMIT) — under load each
 * round trip waits its turn on the event loop, and the commit's latency is what the callers wait for.
 * The caller hands accepted ids to the outbox after commit.
 */
import type { Pool } from "pg";
import type { NormalizedEvent } from "./parse-events";
import { sourceColumns } from "./source-columns";

export interface RecordResult {
  acceptedIds: string[];
  duplicates: number;
}

/**
 * Events first (in id order: concurrent batches take row locks in the same order, so they cannot deadlock),
 * then one row per learner of the inserted events — fields their events give replace those stored, the latest
 * event winning; an explicit null clears; attributes merge key by key, later events winning — then one row per
 * (learner, course) with counts per event type. A new event ends the learner's quiet spell in that course,
 * re-arming inactivity triggers (inactivity_fired_at = NULL).
 */
function recordSql(form: "general" | "exclusive"): string {
  return `
WITH input AS (
  -- The source columns ($11–$14, $16, $17) are null arrays for native events: unnest pads them with nulls.
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::jsonb[], $9::jsonb[],
                       $11::text[], $12::boolean[], $13::text[], $14::int[], $16::int[], $17::int[])
    AS t(id, type, learner_id, course_id, module_id, occurred_at, sent_at, properties, profile,
         source_format, exclusive, mapping_key, kind_index, body_at, body_length)
), ${form === "exclusive" ? EVENTS_INSERTED : EVENTS_INSERTED_ONCE}
), fresh AS (
  SELECT x.* FROM input x WHERE x.id IN (SELECT id FROM inserted)
), ${form === "exclusive" ? ORIGINALS_INSERTED : ORIGINALS_UPSERTED}
), profiles AS (
  SELECT id, name, has_name AND name IS NULL AS clears_name, locale, has_locale AND locale IS NULL AS clears_locale,
         timezone, has_timezone AND timezone IS NULL AS clears_timezone
    FROM (SELECT learner_id AS id,
                 bool_or(profile ? 'name') AS has_name, (array_agg(profile->>'name' ORDER BY occurred_at DESC, id DESC) FILTER (WHERE profile ? 'name'))[1] AS name,
                 bool_or(profile ? 'locale') AS has_locale, (array_agg(profile->>'locale' ORDER BY occurred_at DESC, id DESC) FILTER (WHERE profile ? 'locale'))[1] AS locale,
                 bool_or(profile ? 'timezone') AS has_timezone, (array_agg(profile->>'timezone' ORDER BY occurred_at DESC, id DESC) FILTER (WHERE profile ? 'timezone'))[1] AS timezone
            FROM fresh GROUP BY learner_id) latest
), attributes AS (
  SELECT f.learner_id AS id, jsonb_object_agg(a.key, a.value ORDER BY f.occurred_at, f.id) AS attributes
    FROM fresh f, jsonb_each(COALESCE(f.profile->'attributes', '{}'::jsonb)) a
   GROUP BY f.learner_id
), learners AS (
  INSERT INTO learners AS l (id, name, locale, timezone, attributes, created_at, updated_at)
  SELECT p.id, p.name, p.locale, p.timezone, COALESCE(a.attributes, '{}'::jsonb), $10, $10
    FROM profiles p LEFT JOIN attributes a ON a.id = p.id ORDER BY p.id
  ON CONFLICT (id) DO UPDATE SET
    -- The clearing lists are computed once (uncorrelated) and are almost always empty.
    name = CASE WHEN EXCLUDED.name IS NOT NULL THEN EXCLUDED.name
                WHEN EXCLUDED.id = ANY(ARRAY(SELECT id FROM profiles WHERE clears_name)) THEN NULL ELSE l.name END,
    locale = CASE WHEN EXCLUDED.locale IS NOT NULL THEN EXCLUDED.locale
                  WHEN EXCLUDED.id = ANY(ARRAY(SELECT id FROM profiles WHERE clears_locale)) THEN NULL ELSE l.locale END,
    timezone = CASE WHEN EXCLUDED.timezone IS NOT NULL THEN EXCLUDED.timezone
                    WHEN EXCLUDED.id = ANY(ARRAY(SELECT id FROM profiles WHERE clears_timezone)) THEN NULL ELSE l.timezone END,
    attributes = l.attributes || EXCLUDED.attributes,
    updated_at = EXCLUDED.updated_at
  -- Events without a profile leave the learner as it is.
  WHERE EXCLUDED.name IS NOT NULL OR EXCLUDED.locale IS NOT NULL OR EXCLUDED.timezone IS NOT NULL OR EXCLUDED.attributes <> '{}'::jsonb
     OR EXCLUDED.id = ANY(ARRAY(SELECT id FROM profiles WHERE clears_name OR clears_locale OR clears_timezone))
), course_state AS (
  INSERT INTO learner_course_state AS s (learner_id, course_id, first_activity_at, last_activity_at, event_count, event_counts, updated_at)
  SELECT learner_id, course_id, min(first_at), max(last_at), sum(n)::int, jsonb_object_agg(type, n), $10
    FROM (SELECT learner_id, course_id, type, count(*) AS n, min(occurred_at) AS first_at, max(occurred_at) AS last_at
            FROM fresh WHERE course_id IS NOT NULL GROUP BY learner_id, course_id, type) per_type
   GROUP BY learner_id, course_id ORDER BY learner_id, course_id
  ON CONFLICT (learner_id, course_id) DO UPDATE SET
    first_activity_at = LEAST(s.first_activity_at, EXCLUDED.first_activity_at),
    last_activity_at = GREATEST(s.last_activity_at, EXCLUDED.last_activity_at),
    event_count = s.event_count + EXCLUDED.event_count,
    -- Only the batch's types (usually one) are summed; the stored counts of the others are kept as they are.
    event_counts = s.event_counts || (SELECT COALESCE(jsonb_object_agg(k, COALESCE((s.event_counts->>k)::int, 0) + n::int), '{}'::jsonb)
                                        FROM jsonb_each_text(EXCLUDED.event_counts) AS c(k, n)),
    inactivity_fired_at = CASE WHEN EXCLUDED.last_activity_at > COALESCE(s.inactivity_fired_at, '-infinity') THEN NULL ELSE s.inactivity_fired_at END,
    updated_at = EXCLUDED.updated_at
)
SELECT id FROM inserted`;
}

/**
 * The events, each id once: a duplicate has no effect (ON CONFLICT DO NOTHING), unless the event is exclusive (one
 * of a request stored whole or not at all, an xAPI batch) and its id was stored before, or by a transaction that
 * committed meanwhile: `taken` inserts it again without ON CONFLICT, so the statement fails with 23505 naming the
 * id (nothing of the group is stored) and the group commit sets that request apart. Costs nothing when no id is
 * taken: no read before the write, only an anti-join of the inserted ids.
 */
const EVENTS_INSERTED_ONCE = `inserted AS (
  INSERT INTO events (id, type, learner_id, course_id, module_id, occurred_at, received_at, sent_at, properties)
  SELECT id, type, learner_id, course_id, module_id, occurred_at, $10, sent_at, properties FROM input ORDER BY id
  ON CONFLICT (id) DO NOTHING
  RETURNING id
), taken AS (
  INSERT INTO events (id, type, learner_id, occurred_at, received_at)
  SELECT id, type, learner_id, occurred_at, $10 FROM input WHERE exclusive AND id NOT IN (SELECT id FROM inserted)`;

/**
 * When every event of the group is exclusive (a group of xAPI batches, the usual case): a plain INSERT, whose
 * unique violation on a taken id is the 23505 `taken` would raise. No speculative insertion (ON CONFLICT's probe
 * and confirmation) per row, nor anti-join.
 */
const EVENTS_INSERTED = `inserted AS (
  INSERT INTO events (id, type, learner_id, course_id, module_id, occurred_at, received_at, sent_at, properties)
  SELECT id, type, learner_id, course_id, module_id, occurred_at, $10, sent_at, properties FROM input ORDER BY id
  RETURNING id`;

/** Each original's row, cut out of $18, its kind one of $15 (see sourceColumns): sorted before any text is cut or checked. */
const ORIGINALS_SELECT = `
  INSERT INTO event_sources (id, format, status, mapping_key, kind, event_type, learner_id, received_at, body)
  SELECT id, source_format, 'mapped', mapping_key, ($15::jsonb[])[kind_index], type, learner_id, $10,
         convert_from(substr($18::bytea, body_at, body_length), 'UTF8')::json
    FROM (SELECT id, source_format, mapping_key, kind_index, body_at, body_length, type, learner_id
            FROM fresh WHERE source_format IS NOT NULL ORDER BY id) f`;

/**
 * The original statement, Caliper event or Segment call each fresh event was mapped from (src/standards/), beside
 * it. Each original's JSON text is a slice of one bytea ($18, sent in binary: no escaping on
 * either side, the request's bytes as they arrived), stored as json, the text as sent (only checked: no jsonb is
 * built). Several times cheaper in PostgreSQL than one JSON document split by jsonb_array_elements.
 *
 * In general an original may have been stored before without an event (unmapped then, resent now that a mapping
 * applies): it becomes mapped — unless its event is exclusive, whose original is compared with what arrived
 * instead (taken_source: 23505 as in taken; every exclusive event has an original, so one missing from sources
 * conflicted).
 */
const ORIGINALS_UPSERTED = `sources AS (${ORIGINALS_SELECT}
  ON CONFLICT (id) DO UPDATE SET status = 'mapped', mapping_key = EXCLUDED.mapping_key, event_type = EXCLUDED.event_type,
                                 learner_id = EXCLUDED.learner_id, note = NULL
                           WHERE NOT EXCLUDED.id = ANY(ARRAY(SELECT id FROM input WHERE exclusive))
  RETURNING id
), taken_source AS (
  INSERT INTO event_sources (id, format, status, kind, received_at, body)
  SELECT id, 'xapi', 'mapped', '{}', $10, '{}' FROM fresh WHERE exclusive AND id NOT IN (SELECT id FROM sources)`;

/** When every event of the group is exclusive: a plain INSERT, whose unique violation on a stored original is the 23505 taken_source would raise. */
const ORIGINALS_INSERTED = `sources AS (${ORIGINALS_SELECT}`;

const RECORDED = { name: "coach_record_events", text: recordSql("general") };
/** For a group of exclusive events only: ~15% less of PostgreSQL's work per xAPI statement than RECORDED (issue 15's benchmark). */
const RECORDED_EXCLUSIVE = { name: "coach_record_events_exclusive", text: recordSql("exclusive") };

/**
 * Inserts the events, upserts learners and per-course state; returns which ids were new. An event whose id is
 * in `exclusive` (it must have a source) is never a duplicate: when its id is taken, in events or in
 * event_sources, the whole statement fails with 23505 (unique violation) naming the id, and nothing is stored.
 *
 * `prepared` (the default): the statement is named, so each connection has PostgreSQL parse it once and, after
 * its first few calls, plan it once (a generic plan). Unnamed, it is parsed and planned on every call, and
 * planning with the arguments in hand copies them into the plan several times: with the originals' bytes (a
 * few hundred KB per group) that copying was half of what an xAPI statement cost PostgreSQL beyond a native
 * event (issue 15's benchmark). Off where the pool cannot hold named statements (the embedded database).
 */
export async function recordEvents(pool: Pool, events: NormalizedEvent[], receivedAt: Date, options: { exclusive?: ReadonlySet<string>; prepared?: boolean } = {}): Promise<RecordResult> {
  const { exclusive, prepared = true } = options;
  // An id repeated inside one batch counts once: its first occurrence is the one offered.
  const firstById = new Map<string, NormalizedEvent>();
  for (const e of events) if (!firstById.has(e.id)) firstById.set(e.id, e);
  const unique = [...firstById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sources = sourceColumns(unique, exclusive);
  const onlyExclusive = sources !== null && sources.exclusive.every((isExclusive) => isExclusive);
  const statement = onlyExclusive ? RECORDED_EXCLUSIVE : RECORDED;
  const { rows } = await pool.query<{ id: string }>({
    ...(prepared ? { name: statement.name } : {}),
    text: statement.text,
    values: [
      unique.map((e) => e.id),
      unique.map((e) => e.type),
      unique.map((e) => e.learnerId),
      unique.map((e) => e.courseId),
      unique.map((e) => e.moduleId),
      unique.map((e) => e.occurredAt),
      unique.map((e) => e.sentAt),
      unique.map((e) => JSON.stringify(e.properties)),
      unique.map((e) => (e.learner ? JSON.stringify(e.learner) : null)),
      receivedAt,
      sources?.format ?? null,
      sources?.exclusive ?? null,
      sources?.mappingKey ?? null,
      sources?.kindIndex ?? null,
      sources?.kinds ?? null,
      sources?.bodyAt ?? null,
      sources?.bodyLength ?? null,
      sources?.bytes ?? null,
    ],
  });
  const accepted = new Set(rows.map((r) => r.id));
  const acceptedIds = unique.filter((e) => accepted.has(e.id)).map((e) => e.id);
  return { acceptedIds, duplicates: events.length - acceptedIds.length };
}
