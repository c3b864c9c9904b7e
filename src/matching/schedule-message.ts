/**
 * Writes a match's outcome in one transaction — the winning message (status `scheduled`), the suppression
 * records, and the event's `matched_at` — then enqueues delivery after commit. Claiming the event first
 * (UPDATE … WHERE matched_at IS NULL) makes two concurrent matchers of one event a no-op for the loser.
 */
import type { EngineContext } from "../context";
import { newId } from "../lib/ids";
import { withTransaction } from "../db/transaction";
import { recordSuppressions, type SuppressionRecord } from "../delivery/suppressions";
import type { ActiveRule } from "../content/active-rules";
import type { NudgePayload } from "./judge-rule";
import type { NudgePlan } from "./plan-nudge";
import type { StoredEvent } from "./stored-event";

type Winner = NudgePlan<ActiveRule, NudgePayload>["winner"];
type Skipped = NudgePlan<ActiveRule, NudgePayload>["skipped"];

/** What a message answers: a stored event, or (eventId null) an inactivity spell identified by `spellKey`. */
export interface Trigger {
  eventId: string | null;
  spellKey?: string;
  learnerId: string;
  courseId: string | null;
  moduleId: string | null;
}

/** The trigger of a stored event. */
export function eventTrigger(event: StoredEvent): Trigger {
  return { eventId: event.id, learnerId: event.learnerId, courseId: event.courseId, moduleId: event.moduleId };
}

/** Persists the plan for a trigger; returns the new message id, if one was scheduled. */
export async function scheduleMessage(ctx: EngineContext, event: Trigger, winner: Winner, skipped: Skipped, now: Date): Promise<string | null> {
  const messageId = await withTransaction(ctx.database.pool, async (client) => {
    if (event.eventId) {
      const claimed = await client.query(`UPDATE events SET matched_at = $2 WHERE id = $1 AND matched_at IS NULL`, [event.eventId, now]);
      if (claimed.rowCount === 0) return undefined; // another matcher has it: nothing to write
    }
    let id: string | null = null;
    const records: SuppressionRecord[] = skipped.map((s) => ({
      outcome: "suppressed", reason: s.reason, details: s.details, learnerId: event.learnerId, courseId: event.courseId,
      ruleKey: s.rule.key, eventId: event.eventId, messageId: null, at: now,
    }));
    if (winner) {
      id = await insertScheduledMessage(client, event, winner, now);
      if (id && winner.deferral && !winner.payload.heldOut) {
        records.push({ outcome: "deferred", reason: winner.deferral.reason, details: { ...winner.deferral.details, until: winner.dueAt.toISOString() }, learnerId: event.learnerId, courseId: event.courseId, ruleKey: winner.rule.key, eventId: event.eventId, messageId: id, at: now });
      }
    }
    await recordSuppressions(client, records);
    return id;
  });
  if (messageId === undefined) return null;
  ctx.metrics.messages.inc({ outcome: "suppressed" }, skipped.length);
  if (messageId && winner?.payload.heldOut) {
    ctx.metrics.messages.inc({ outcome: "held_out" });
  } else if (messageId && winner) {
    ctx.metrics.messages.inc({ outcome: "scheduled" });
    await enqueueDelivery(ctx, messageId, winner.dueAt.getTime() - now.getTime());
  }
  return messageId;
}

/** Enqueues a delivery; on failure the sweeper finds the message once it is overdue. */
export async function enqueueDelivery(ctx: EngineContext, messageId: string, delayMs: number): Promise<void> {
  try {
    await ctx.queues.enqueue("deliverMessage", [{ messageId }], { delayMs });
  } catch (error) {
    ctx.metrics.enqueueFailures.inc({ job: "deliver-message" });
    ctx.log.warn({ messageId, err: (error as Error).message }, "could not enqueue delivery; the sweeper will retry");
  }
}

async function insertScheduledMessage(client: import("pg").PoolClient, event: Trigger, winner: NonNullable<Winner>, now: Date): Promise<string | null> {
  const { rule, payload, dueAt } = winner;
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO messages (id, dedupe_key, learner_id, course_id, module_id, event_id, rule_key, template_key, template_version,
                           variant, assignment, kind, essential, status, response_spec, segment_key, priority, due_at, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $20, $14, $15, $16, $17, $18, $19)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [
      newId(), `${rule.key}|${event.eventId ?? event.spellKey}`, event.learnerId, event.courseId, event.moduleId, event.eventId, rule.key,
      payload.template.key, payload.template.version, payload.assignment.variant, JSON.stringify(payload.assignment.details),
      payload.template.kind, rule.essential || payload.template.essential, payload.template.response ? JSON.stringify(payload.template.response) : null,
      rule.segmentKey, rule.priority, dueAt, now, payload.expiresAt, payload.heldOut ? "held_out" : "scheduled",
    ],
  );
  return rows[0]?.id ?? null;
}
