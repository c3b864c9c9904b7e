/**
 * The operators' view of isolated failures: events whose matching failed on its own after every attempt, and
 * messages in status `failed` (a template that cannot render, or delivery failing on its own). They are out of
 * the sweeper's reach, so nothing retries them by itself; an operator fixes the cause (a rule, a template, the
 * data) and retries them here. A retry clears the failure, enqueues the items again, and is audited in the same
 * transaction as the change.
 */
import type { Pool } from "pg";
import type { EngineContext } from "../context";
import { withTransaction } from "../db/transaction";
import { enqueueDeliveries } from "../queue/enqueue-deliveries";
import { publishStoredEvents } from "../ingest/outbox";

export interface FailedEvent {
  id: string;
  type: string;
  learnerId: string;
  courseId: string | null;
  receivedAt: Date;
  failedAt: Date;
  error: string | null;
}

export interface FailedMessage {
  id: string;
  learnerId: string;
  courseId: string | null;
  eventId: string | null;
  ruleKey: string;
  templateKey: string;
  dueAt: Date;
  /** null for messages that failed before failures were timed. */
  failedAt: Date | null;
  error: string | null;
  attempts: number;
}

/** The most recent failures of each kind, newest first, and how many there are in all. */
export async function listFailures(pool: Pool, limit: number): Promise<{ counts: { events: number; messages: number }; events: FailedEvent[]; messages: FailedMessage[] }> {
  const [events, messages, counts] = await Promise.all([
    pool.query<{ id: string; type: string; learner_id: string; course_id: string | null; received_at: Date; match_failed_at: Date; match_error: string | null }>(
      `SELECT id, type, learner_id, course_id, received_at, match_failed_at, match_error FROM events
        WHERE match_failed_at IS NOT NULL AND matched_at IS NULL ORDER BY match_failed_at DESC, id LIMIT $1`,
      [limit],
    ),
    pool.query<{
      id: string;
      learner_id: string;
      course_id: string | null;
      event_id: string | null;
      rule_key: string;
      template_key: string;
      due_at: Date;
      failed_at: Date | null;
      error: string | null;
      attempts: number;
    }>(
      `SELECT id, learner_id, course_id, event_id, rule_key, template_key, due_at, failed_at, error, attempts FROM messages
        WHERE status = 'failed' ORDER BY failed_at DESC NULLS LAST, id LIMIT $1`,
      [limit],
    ),
    countFailures(pool),
  ]);
  return {
    counts,
    events: events.rows.map((r) => ({ id: r.id, type: r.type, learnerId: r.learner_id, courseId: r.course_id, receivedAt: r.received_at, failedAt: r.match_failed_at, error: r.match_error })),
    messages: messages.rows.map((r) => ({
      id: r.id,
      learnerId: r.learner_id,
      courseId: r.course_id,
      eventId: r.event_id,
      ruleKey: r.rule_key,
      templateKey: r.template_key,
      dueAt: r.due_at,
      failedAt: r.failed_at,
      error: r.error,
      attempts: r.attempts,
    })),
  };
}

/** The same counts labelled as /metrics labels them (`kind` = event | message). */
export async function countFailuresByKind(pool: Pool): Promise<{ event: number; message: number }> {
  const { events, messages } = await countFailures(pool);
  return { event: events, message: messages };
}

/** How many failed events and messages there are (both found through small partial indexes). */
export async function countFailures(pool: Pool): Promise<{ events: number; messages: number }> {
  const { rows } = await pool.query<{ events: number; messages: number }>(
    `SELECT (SELECT count(*)::int FROM events WHERE match_failed_at IS NOT NULL AND matched_at IS NULL) AS events,
            (SELECT count(*)::int FROM messages WHERE status = 'failed') AS messages`,
  );
  return rows[0];
}

/**
 * Clears the failure of these events and messages and enqueues them again; ids that are not failed are ignored.
 * Returns the ids retried. If Redis is down, the sweeper enqueues them once it is back (they are ordinary
 * unmatched events and scheduled messages again).
 */
export async function retryFailures(ctx: EngineContext, request: { eventIds: string[]; messageIds: string[] }, actor: string): Promise<{ eventIds: string[]; messageIds: string[] }> {
  const now = ctx.clock.now();
  const retried = await withTransaction(ctx.database.pool, async (tx) => {
    const events = await tx.query<{ id: string }>(
      `UPDATE events SET match_failed_at = NULL, match_error = NULL
        WHERE id = ANY($1::text[]) AND match_failed_at IS NOT NULL AND matched_at IS NULL RETURNING id`,
      [request.eventIds],
    );
    const messages = await tx.query<{ id: string; due_at: Date }>(
      `UPDATE messages SET status = 'scheduled', error = NULL, failed_at = NULL
        WHERE id = ANY($1::uuid[]) AND status = 'failed' RETURNING id, due_at`,
      [request.messageIds],
    );
    const audit = [...events.rows.map((r) => ["event", r.id]), ...messages.rows.map((r) => ["message", r.id])];
    if (audit.length) {
      await tx.query(
        `INSERT INTO audit_log (actor, action, entity_type, entity_key, details, created_at)
         SELECT $1, 'failure.retried', t, k, '{}'::jsonb, $4 FROM unnest($2::text[], $3::text[]) AS a(t, k)`,
        [actor, audit.map(([t]) => t), audit.map(([, k]) => k), now],
      );
    }
    return { events: events.rows, messages: messages.rows };
  });
  await publishStoredEvents(
    ctx,
    retried.events.map((r) => r.id),
  );
  await enqueueDeliveries(
    ctx,
    retried.messages.map((r) => ({ messageId: r.id, dueAt: r.due_at < now ? now : r.due_at })),
    now,
  );
  return { eventIds: retried.events.map((r) => r.id), messageIds: retried.messages.map((r) => r.id) };
}
