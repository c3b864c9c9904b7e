/**
 * Writes match outcomes atomically — the winning message (status `scheduled`), the suppression records,
 * and the event's `matched_at` (see write-match-outcome.ts) — then enqueues delivery after commit
 * (src/queue/enqueue-deliveries.ts). Claiming the event (UPDATE … WHERE matched_at IS NULL) makes two
 * concurrent matchers of one event a no-op for the loser.
 */
import type { EngineContext } from "../context";
import { newId } from "../lib/ids";
import type { SuppressionRecord } from "../delivery/suppressions";
import { writeMatchOutcomes, type MatchOutcome, type MessageRow } from "./write-match-outcome";
import { enqueueDeliveries, type DueDelivery } from "../queue/enqueue-deliveries";
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

/** One trigger's plan: the winner (if any) and the rules that lost, with why. */
export interface TriggerPlan {
  trigger: Trigger;
  winner: Winner;
  skipped: Skipped;
}

/** Persists the plan for a trigger; returns the new message id, if one was scheduled. */
export async function scheduleMessage(ctx: EngineContext, event: Trigger, winner: Winner, skipped: Skipped, now: Date): Promise<string | null> {
  const [messageId] = await scheduleMessages(ctx, [{ trigger: event, winner, skipped }], now);
  return messageId;
}

/**
 * Persists a batch of plans in one statement, then enqueues the new messages' deliveries in one queue call.
 * Returns, per plan, the new message id, or null (nothing won, or another matcher claimed the event first).
 */
export async function scheduleMessages(ctx: EngineContext, plans: TriggerPlan[], now: Date): Promise<Array<string | null>> {
  const outcomes = plans.map(({ trigger, winner, skipped }): MatchOutcome => {
    const message = winner ? messageRow(trigger, winner, now) : null;
    const records: SuppressionRecord[] = skipped.map((s) => ({
      outcome: "suppressed",
      reason: s.reason,
      details: s.details,
      learnerId: trigger.learnerId,
      courseId: trigger.courseId,
      ruleKey: s.rule.key,
      eventId: trigger.eventId,
      messageId: null,
      at: now,
    }));
    if (message && winner?.deferral && !winner.payload.heldOut) {
      records.push({
        outcome: "deferred",
        reason: winner.deferral.reason,
        details: { ...winner.deferral.details, until: winner.dueAt.toISOString() },
        learnerId: trigger.learnerId,
        courseId: trigger.courseId,
        ruleKey: winner.rule.key,
        eventId: trigger.eventId,
        messageId: message.id,
        at: now,
      });
    }
    return { eventId: trigger.eventId, message, records };
  });
  const { claimed, messageIds } = await writeMatchOutcomes(ctx.database.pool, now, outcomes);
  const deliveries: DueDelivery[] = [];
  const scheduled = plans.map(({ winner, skipped }, i): string | null => {
    const { eventId, message } = outcomes[i];
    if (eventId !== null && !claimed.has(eventId)) return null;
    ctx.metrics.messages.inc({ outcome: "suppressed" }, skipped.length);
    if (!message || !messageIds.has(message.id) || !winner) return null;
    if (winner.payload.heldOut) ctx.metrics.messages.inc({ outcome: "held_out" });
    else deliveries.push({ messageId: message.id, dueAt: winner.dueAt });
    return message.id;
  });
  ctx.metrics.messages.inc({ outcome: "scheduled" }, deliveries.length);
  await enqueueDeliveries(ctx, deliveries, now);
  return scheduled;
}

function messageRow(event: Trigger, winner: NonNullable<Winner>, now: Date): MessageRow {
  const { rule, payload, dueAt } = winner;
  return {
    id: newId(),
    dedupeKey: `${rule.key}|${event.eventId ?? event.spellKey}`,
    learnerId: event.learnerId,
    courseId: event.courseId,
    moduleId: event.moduleId,
    eventId: event.eventId,
    ruleKey: rule.key,
    templateKey: payload.template.key,
    templateVersion: payload.template.version,
    variant: payload.assignment.variant,
    assignment: payload.assignment.details,
    kind: payload.template.kind,
    essential: rule.essential || payload.template.essential,
    status: payload.heldOut ? "held_out" : "scheduled",
    responseSpec: payload.template.response ?? null,
    segmentKey: rule.segmentKey,
    priority: rule.priority,
    dueAt,
    createdAt: now,
    expiresAt: payload.expiresAt,
  };
}
