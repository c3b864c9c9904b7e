/**
 * (2) matchStoredEvents: stored events in; for each, at most one scheduled message out, plus a suppression
 * record for every rule that matched but lost (throttle, segment, paused variant, lower priority).
 * Idempotent: events already matched are skipped, each event's writes are conditioned on claiming it, and a
 * message's unique dedupe key (rule, event) means a retried job can never create a second message.
 *
 * A batch costs a fixed number of queries however many events it holds — events, snapshots, memberships,
 * delivery states and pauses, one write — and one queue call for its deliveries, after the write commits.
 * Events of one batch are judged independently, as concurrent matchers would judge them: matching predicts
 * the throttle from deliveries already made; delivery decides for real.
 */
import type { EngineContext } from "../context";
import { loadLearnerSnapshots, type LearnerSnapshot } from "../learners/learner-snapshot";
import { loadStoredEvents, markEventsMatched, type StoredEvent } from "./stored-event";
import { loadRuleIndex } from "./rule-index-cache";
import { candidateRules } from "./rule-index";
import { matchEvent } from "./match-event";
import { loadMembershipsBatch } from "./memberships";
import { planNudge } from "./plan-nudge";
import { judgeRule } from "./judge-rule";
import { loadJudgeInputs } from "./judge-inputs";
import { eventTrigger, scheduleMessages, type TriggerPlan } from "./schedule-message";
import type { MatchContext } from "./match-context";
import { handOverDeliveryStates } from "../delivery/delivery-state-handoff";

/** Matches one event; a no-op when it is unknown or already matched. */
export async function matchStoredEvent(ctx: EngineContext, eventId: string): Promise<void> {
  await matchStoredEvents(ctx, [eventId]);
}

/** Matches a batch of events; unknown and already matched ones are skipped. */
export async function matchStoredEvents(ctx: EngineContext, eventIds: string[]): Promise<void> {
  const pool = ctx.database.pool;
  const now = ctx.clock.now();
  const index = await loadRuleIndex(ctx);
  const events = (await loadStoredEvents(pool, eventIds)).filter((e) => !e.matchedAt).map((event) => ({ event, candidates: candidateRules(index, event.type, event.courseId) }));
  await markEventsMatched(
    pool,
    events.filter((e) => e.candidates.length === 0).map((e) => e.event.id),
    now,
  );
  const withCandidates = events.filter((e) => e.candidates.length > 0);
  if (withCandidates.length === 0) return;
  const busy = withCandidates.map((e) => e.event);

  // Conditions and segments read the whole match context; without them, judging reads only the learner's time zone.
  const snapshots = await loadLearnerSnapshots(
    pool,
    withCandidates.map(({ event, candidates }) => ({
      learnerId: event.learnerId,
      courseId: event.courseId,
      profileOnly: !candidates.some((r) => r.where !== null || r.segmentKey !== null),
    })),
    now,
  );
  const contexts = busy.map((event, i) => matchContextOf(event, snapshots[i]));
  const memberships = await loadMembershipsBatch(
    ctx,
    withCandidates.map(({ event, candidates }, i) => ({
      learnerId: event.learnerId,
      segmentKeys: candidates.map((r) => r.segmentKey).filter((k): k is string => !!k),
      ctx: contexts[i],
    })),
  );
  const matches = busy.map((_, i) => matchEvent(index, contexts[i], memberships[i]));
  const inputs = await loadJudgeInputs(
    ctx,
    busy.map((event, i) => ({ learnerId: event.learnerId, rules: matches[i].matched })),
    now,
  );

  const plans: TriggerPlan[] = [];
  for (const [i, event] of busy.entries()) {
    const { matched, segmentMisses } = matches[i];
    const plan = await planNudge(matched, (rule) => judgeRule(ctx, rule, { learnerId: event.learnerId, triggerKey: event.id }, snapshots[i], now, inputs));
    const skipped = [...segmentMisses.map((rule) => ({ rule, reason: "segment", details: { segmentKey: rule.segmentKey } })), ...plan.skipped];
    plans.push({ trigger: eventTrigger(event), winner: plan.winner, skipped });
  }
  // Delivery of the messages due now follows in this process: it decides on these states instead of reading them again (delivery-state-handoff.ts).
  const deliveringNow = plans.flatMap(({ trigger, winner }) => (winner && !winner.payload.heldOut && winner.dueAt.getTime() <= now.getTime() ? [trigger.learnerId] : []));
  handOverDeliveryStates(
    ctx,
    deliveringNow.map((learnerId) => [learnerId, inputs.deliveryState(learnerId)]),
  );
  await scheduleMessages(ctx, plans, now);
}

/** What conditions and attribute segments read for a stored event (also used by a rule's test-match). */
export function matchContextOf(event: StoredEvent, snapshot: LearnerSnapshot): MatchContext {
  return {
    event: { id: event.id, type: event.type, courseId: event.courseId, moduleId: event.moduleId, occurredAt: event.occurredAt.toISOString(), properties: event.properties },
    learner: snapshot.learner ?? { id: event.learnerId, attributes: {} },
    goal: snapshot.goal,
    assessments: snapshot.assessments,
    insights: snapshot.insights,
    state: snapshot.state,
  };
}
