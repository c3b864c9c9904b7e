/**
 * (2) matchStoredEvent: one stored event in; at most one scheduled message out, plus a suppression record
 * for every rule that matched but lost (throttle, segment, paused variant, lower priority). Idempotent:
 * an event already matched is skipped, and the message's unique dedupe key (rule, event) means a retried
 * job can never create a second message. Delivery is enqueued only after the transaction commits.
 */
import type { EngineContext } from "../context";
import { loadLearnerSnapshot } from "../learners/learner-snapshot";
import { loadActiveRules } from "../content/active-rules";
import { loadStoredEvent, markEventMatched } from "./stored-event";
import { indexRules } from "./rule-index-cache";
import { candidateRules } from "./rule-index";
import { matchEvent } from "./match-event";
import { loadMemberships } from "./memberships";
import { planNudge } from "./plan-nudge";
import { judgeRule } from "./judge-rule";
import { eventTrigger, scheduleMessage } from "./schedule-message";
import type { MatchContext } from "./match-context";

/** Matches one event; a no-op when it is unknown or already matched. */
export async function matchStoredEvent(ctx: EngineContext, eventId: string): Promise<void> {
  const pool = ctx.database.pool;
  const event = await loadStoredEvent(pool, eventId);
  if (!event || event.matchedAt) return;
  const now = ctx.clock.now();

  const index = indexRules(await loadActiveRules(ctx.prisma));
  const candidates = candidateRules(index, event.type, event.courseId);
  if (candidates.length === 0) {
    await markEventMatched(pool, event.id, now);
    return;
  }

  const snapshot = await loadLearnerSnapshot(pool, event.learnerId, event.courseId, now);
  const matchContext: MatchContext = {
    event: { id: event.id, type: event.type, courseId: event.courseId, moduleId: event.moduleId, occurredAt: event.occurredAt.toISOString(), properties: event.properties },
    learner: snapshot.learner ?? { id: event.learnerId, attributes: {} },
    goal: snapshot.goal,
    assessments: snapshot.assessments,
    insights: snapshot.insights,
    state: snapshot.state,
  };
  const isMember = await loadMemberships(pool, event.learnerId, candidates.map((r) => r.segmentKey).filter((k): k is string => !!k), matchContext);
  const { matched, segmentMisses } = matchEvent(index, matchContext, isMember);
  const plan = await planNudge(matched, (rule) => judgeRule(ctx, rule, { learnerId: event.learnerId, triggerKey: event.id }, snapshot, now));
  const skipped = [
    ...segmentMisses.map((rule) => ({ rule, reason: "segment", details: { segmentKey: rule.segmentKey } })),
    ...plan.skipped,
  ];
  await scheduleMessage(ctx, eventTrigger(event), plan.winner, skipped, now);
}
