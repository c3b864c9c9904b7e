/**
 * (1) recordEvents: store a validated batch durably, once. The database decides what is a duplicate
 * (primary key on event id, ON CONFLICT DO NOTHING), so concurrent retries of one batch cannot double-count.
 * Learner profiles and per-course state change in the same transaction, from the accepted events only.
 * The caller hands accepted ids to the outbox after commit.
 */
import type { Pool, PoolClient } from "pg";
import { withTransaction } from "../db/transaction";
import type { NormalizedEvent } from "./parse-events";
import { mergeLearnerProfiles, summarizeCourseActivity } from "./batch-summaries";

export interface RecordResult {
  acceptedIds: string[];
  duplicates: number;
}

/** Inserts the events, upserts learners and per-course state; returns which ids were new. */
export async function recordEvents(pool: Pool, events: NormalizedEvent[], receivedAt: Date): Promise<RecordResult> {
  // A fixed order makes concurrent batches take row locks in the same order: no deadlocks.
  const sorted = [...events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return withTransaction(pool, async (client) => {
    const acceptedIds = await insertEvents(client, sorted, receivedAt);
    const accepted = new Set(acceptedIds);
    const fresh = sorted.filter((e) => accepted.delete(e.id)); // delete: a repeated id inside one batch counts once
    await upsertLearners(client, fresh, receivedAt);
    await upsertCourseState(client, fresh, receivedAt);
    return { acceptedIds: fresh.map((e) => e.id), duplicates: events.length - fresh.length };
  });
}

async function insertEvents(client: PoolClient, events: NormalizedEvent[], receivedAt: Date): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO events (id, type, learner_id, course_id, module_id, occurred_at, received_at, sent_at, properties)
     SELECT id, type, learner_id, course_id, module_id, occurred_at, $6, sent_at, properties
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $7::timestamptz[], $8::timestamptz[], $9::jsonb[])
         AS t(id, type, learner_id, course_id, module_id, occurred_at, sent_at, properties)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.learnerId),
      events.map((e) => e.courseId),
      events.map((e) => e.moduleId),
      receivedAt,
      events.map((e) => e.occurredAt),
      events.map((e) => e.sentAt),
      events.map((e) => JSON.stringify(e.properties)),
    ],
  );
  return rows.map((r) => r.id);
}

async function upsertLearners(client: PoolClient, events: NormalizedEvent[], now: Date): Promise<void> {
  const learners = mergeLearnerProfiles(events);
  if (learners.length === 0) return;
  // First every new learner is created, with the profile their events carry; then learners who existed
  // already and whose events carry a profile are updated. A learner without one is not rewritten (nor even
  // locked), which would cost a row version and WAL for every event. Both steps go in id order, so
  // concurrent batches cannot deadlock.
  const { rows: created } = await client.query<{ id: string }>(
    `INSERT INTO learners (id, name, locale, timezone, attributes, created_at, updated_at)
     SELECT id, name, locale, timezone, attributes, $6, $6
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) AS t(id, name, locale, timezone, attributes)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [learners.map((l) => l.id), learners.map((l) => l.name ?? null), learners.map((l) => l.locale ?? null), learners.map((l) => l.timezone ?? null), learners.map((l) => JSON.stringify(l.attributes)), now],
  );
  const isNew = new Set(created.map((r) => r.id));
  const profiled = learners.filter((l) => !isNew.has(l.id) && (l.name !== undefined || l.locale !== undefined || l.timezone !== undefined || Object.keys(l.attributes).length > 0));
  if (profiled.length === 0) return;
  const explicitNull = (field: "name" | "locale" | "timezone") => profiled.filter((l) => l[field] === null).map((l) => l.id);
  // Fields given replace those stored (an explicit null, listed in $6–$8 and usually none, clears them);
  // attributes merge key by key.
  await client.query(
    `INSERT INTO learners AS l (id, name, locale, timezone, attributes, created_at, updated_at)
     SELECT id, name, locale, timezone, attributes, $9, $9
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) AS t(id, name, locale, timezone, attributes)
     ON CONFLICT (id) DO UPDATE SET
       name = CASE WHEN EXCLUDED.name IS NOT NULL THEN EXCLUDED.name WHEN EXCLUDED.id = ANY($6::text[]) THEN NULL ELSE l.name END,
       locale = CASE WHEN EXCLUDED.locale IS NOT NULL THEN EXCLUDED.locale WHEN EXCLUDED.id = ANY($7::text[]) THEN NULL ELSE l.locale END,
       timezone = CASE WHEN EXCLUDED.timezone IS NOT NULL THEN EXCLUDED.timezone WHEN EXCLUDED.id = ANY($8::text[]) THEN NULL ELSE l.timezone END,
       attributes = l.attributes || EXCLUDED.attributes,
       updated_at = EXCLUDED.updated_at`,
    [
      profiled.map((l) => l.id),
      profiled.map((l) => l.name ?? null),
      profiled.map((l) => l.locale ?? null),
      profiled.map((l) => l.timezone ?? null),
      profiled.map((l) => JSON.stringify(l.attributes)),
      explicitNull("name"),
      explicitNull("locale"),
      explicitNull("timezone"),
      now,
    ],
  );
}

async function upsertCourseState(client: PoolClient, events: NormalizedEvent[], now: Date): Promise<void> {
  const rows = summarizeCourseActivity(events);
  if (rows.length === 0) return;
  // A new event ends the learner's quiet spell, re-arming inactivity triggers (inactivity_fired_at = NULL).
  await client.query(
    `INSERT INTO learner_course_state AS s (learner_id, course_id, first_activity_at, last_activity_at, event_count, event_counts, updated_at)
     SELECT learner_id, course_id, first_at, last_at, n, counts, $7
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::jsonb[])
         AS t(learner_id, course_id, first_at, last_at, n, counts)
     ON CONFLICT (learner_id, course_id) DO UPDATE SET
       first_activity_at = LEAST(s.first_activity_at, EXCLUDED.first_activity_at),
       last_activity_at = GREATEST(s.last_activity_at, EXCLUDED.last_activity_at),
       event_count = s.event_count + EXCLUDED.event_count,
       -- Only the batch's types (usually one) are summed; the stored counts of the others are kept as they are.
       event_counts = s.event_counts || (SELECT COALESCE(jsonb_object_agg(k, COALESCE((s.event_counts->>k)::int, 0) + n::int), '{}'::jsonb)
                                           FROM jsonb_each_text(EXCLUDED.event_counts) AS c(k, n)),
       inactivity_fired_at = CASE WHEN EXCLUDED.last_activity_at > COALESCE(s.inactivity_fired_at, '-infinity') THEN NULL ELSE s.inactivity_fired_at END,
       updated_at = EXCLUDED.updated_at`,
    [
      rows.map((r) => r.learnerId),
      rows.map((r) => r.courseId),
      rows.map((r) => r.firstAt),
      rows.map((r) => r.lastAt),
      rows.map((r) => r.count),
      rows.map((r) => JSON.stringify(r.counts)),
      now,
    ],
  );
}
