/**
 * Writes a match's outcome atomically — the winning message (status `scheduled`), the suppression records,
 * and the event's `matched_at` (see write-match-outcome.ts) — then enqueues delivery after commit. Claiming
 * the event (UPDATE … WHERE matched_at IS NULL) makes two concurrent matchers of one event a no-op for the loser.
 */
import type { EngineContext } from "../context";
import { newId } from "../lib/ids";
import type { SuppressionRecord } from "../delivery/suppressions";
import { writeMatchOutcome, type MessageRow } from "./write-match-outcome";
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
  const message = winner ? messageRow(event, winner, now) : null;
  const records: SuppressionRecord[] = skipped.map((s) => ({
    outcome: "suppressed", reason: s.reason, details: s.details, learnerId: event.learnerId, courseId: event.courseId,
    ruleKey: s.rule.key, eventId: event.eventId, messageId: null, at: now,
  }));
  if (message && winner?.deferral && !winner.payload.heldOut) {
    records.push({ outcome: "deferred", reason: winner.deferral.reason, details: { ...winner.deferral.details, until: winner.dueAt.toISOString() }, learnerId: event.learnerId, courseId: event.courseId, ruleKey: winner.rule.key, eventId: event.eventId, messageId: message.id, at: now });
  }
  const { claimed, messageId } = await writeMatchOutcome(ctx.database.pool, event.eventId, now, message, records);
  if (!claimed) return null;
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

function messageRow(event: Trigger, winner: NonNullable<Winner>, now: Date): MessageRow {
  const { rule, payload, dueAt } = winner;
  return {
    id: newId(), dedupeKey: `${rule.key}|${event.eventId ?? event.spellKey}`, learnerId: event.learnerId, courseId: event.courseId, moduleId: event.moduleId,
    eventId: event.eventId, ruleKey: rule.key, templateKey: payload.template.key, templateVersion: payload.template.version,
    variant: payload.assignment.variant, assignment: payload.assignment.details, kind: payload.template.kind,
    essential: rule.essential || payload.template.essential, status: payload.heldOut ? "held_out" : "scheduled",
    responseSpec: payload.template.response ?? null, segmentKey: rule.segmentKey, priority: rule.priority, dueAt, createdAt: now, expiresAt: payload.expiresAt,
  };
}
