/**
 * "Would this rule fire for event X, and what would the throttle say now?" — asked by content staff about a
 * stored event. It runs the matcher's own steps on today's data without writing anything: the trigger, the
 * compiled conditions (each leaf with the value it read, so a failing condition says why), the segment test,
 * then judgeRule (published template, variant, throttle at the time the nudge would be due, gate, holdout).
 * Every step is reported, even after one says no, so staff see everything to fix at once.
 */
import type { EngineContext } from "../context";
import { activeRuleOf } from "../content/active-rules";
import { loadLearnerSnapshot } from "../learners/learner-snapshot";
import { NotFoundError, ValidationError } from "../lib/errors";
import { compileCondition } from "./compile-condition";
import type { Condition } from "./conditions.schema";
import type { MatchContext } from "./match-context";
import { matchContextOf } from "./match-stored-event";
import { loadMemberships } from "./memberships";
import { judgeRule } from "./judge-rule";
import { loadJudgeInputs } from "./judge-inputs";
import { loadStoredEvents } from "./stored-event";

/** One leaf of the rule's conditions as evaluated: what it asked, what the field held, and the answer. */
export interface LeafCheck {
  field: string;
  op: string;
  value?: unknown;
  /** The field's value in the event's context (undefined: missing). */
  actual: unknown;
  passed: boolean;
}

export interface TestMatchResult {
  wouldFire: boolean;
  /** The answer in words, e.g. "No: the learner is not in segment paid-learners". */
  summary: string;
  event: { id: string; type: string; learnerId: string; courseId: string | null; occurredAt: Date; properties: Record<string, unknown> };
  rule: { key: string; version: number; enabled: boolean };
  trigger: { passed: boolean; reason: string | null };
  conditions: { passed: boolean; leaves: LeafCheck[] } | null;
  segment: { key: string; member: boolean } | null;
  /** judgeRule's verdict: send (maybe deferred) or skip with the reason and its numbers; null when matching already said no. */
  decision:
    | {
        outcome: "send";
        dueAt: Date;
        templateKey: string;
        templateVersion: number;
        variant: string;
        heldOut: boolean;
        deferral: { reason: string; until: Date; details: Record<string, unknown> } | null;
      }
    | { outcome: "skip"; reason: string; details: Record<string, unknown> }
    | null;
}

/** Test-matches stored rule `ruleKey` against stored event `eventId` at the engine's now. Writes nothing. */
export async function testMatchRule(ctx: EngineContext, ruleKey: string, eventId: string): Promise<TestMatchResult> {
  const row = await ctx.prisma.rule.findFirst({ where: { key: ruleKey, deletedAt: null } });
  if (!row) throw new NotFoundError(`No rule ${ruleKey}`);
  const [event] = await loadStoredEvents(ctx.database.pool, [eventId]);
  if (!event) throw new ValidationError(`No stored event ${eventId}`, [{ path: "eventId", message: "no stored event has this id" }]);
  const rule = activeRuleOf(row);
  if (rule.eventType === null) {
    throw new ValidationError(`Rule ${ruleKey} fires on inactivity, not on events`, [{ path: "eventId", message: "an inactivity rule is not triggered by an event" }]);
  }
  const now = ctx.clock.now();
  const snapshot = await loadLearnerSnapshot(ctx.database.pool, event.learnerId, event.courseId, now);
  const context = matchContextOf(event, snapshot);

  const triggerProblem =
    event.type !== rule.eventType
      ? `the rule listens for ${rule.eventType}, this event is ${event.type}`
      : rule.courseId !== null && rule.courseId !== event.courseId
        ? `the rule is for course ${rule.courseId}, this event is from ${event.courseId ?? "no course"}`
        : null;
  const conditions = rule.where ? { passed: compileCondition(rule.where)(context), leaves: explainLeaves(rule.where, context) } : null;
  const segment = rule.segmentKey ? { key: rule.segmentKey, member: (await loadMemberships(ctx, event.learnerId, [rule.segmentKey], context))(rule.segmentKey) } : null;

  const result: TestMatchResult = {
    wouldFire: false,
    summary: "",
    event: { id: event.id, type: event.type, learnerId: event.learnerId, courseId: event.courseId, occurredAt: event.occurredAt, properties: event.properties },
    rule: { key: row.key, version: row.version, enabled: row.enabled },
    trigger: { passed: triggerProblem === null, reason: triggerProblem },
    conditions,
    segment,
    decision: null,
  };
  const refusal = !row.enabled
    ? "the rule is disabled"
    : (triggerProblem ?? (conditions && !conditions.passed ? "its conditions do not hold for this event" : segment && !segment.member ? `the learner is not in segment ${segment.key}` : null));

  // Judged even when matching said no, so the throttle's answer is known before staff fix the rest.
  const inputs = await loadJudgeInputs(ctx, [{ learnerId: event.learnerId, rules: [rule] }], now);
  const verdict = await judgeRule(ctx, rule, { learnerId: event.learnerId, triggerKey: event.id }, snapshot, now, inputs);
  if (verdict.type === "skip") {
    result.decision = { outcome: "skip", reason: verdict.reason, details: verdict.details };
  } else {
    const { template, assignment, heldOut } = verdict.payload;
    const deferral = verdict.deferral ? { reason: verdict.deferral.reason, until: verdict.dueAt, details: verdict.deferral.details } : null;
    result.decision = { outcome: "send", dueAt: verdict.dueAt, templateKey: template.key, templateVersion: template.version, variant: assignment.variant, heldOut, deferral };
  }
  result.wouldFire = refusal === null && result.decision.outcome === "send" && !result.decision.heldOut;
  result.summary = summarize(refusal, result.decision);
  return result;
}

function summarize(refusal: string | null, decision: TestMatchResult["decision"]): string {
  if (refusal) return `No: ${refusal}.`;
  if (!decision) return "No.";
  if (decision.outcome === "skip") {
    const explanation = typeof decision.details.explanation === "string" ? ` (${decision.details.explanation})` : "";
    return `It matches, but it would not be sent now: ${decision.reason}${explanation}.`;
  }
  if (decision.heldOut) return `It matches, but this learner is in the rule's holdout: the nudge would be recorded as held out, not sent.`;
  if (decision.deferral) {
    const why = typeof decision.deferral.details.explanation === "string" ? `: ${decision.deferral.details.explanation}` : "";
    return `Yes: variant ${decision.variant} of ${decision.templateKey} v${decision.templateVersion}, but it would wait (${decision.deferral.reason}${why}).`;
  }
  return `Yes: variant ${decision.variant} of ${decision.templateKey} v${decision.templateVersion} would be sent.`;
}

/** Every leaf of a condition tree, evaluated alone against the context. */
function explainLeaves(condition: Condition, context: MatchContext): LeafCheck[] {
  if ("all" in condition) return condition.all.flatMap((c) => explainLeaves(c, context));
  if ("any" in condition) return condition.any.flatMap((c) => explainLeaves(c, context));
  if ("not" in condition) return explainLeaves(condition.not, context);
  return [{ field: condition.field, op: condition.op, value: condition.value, actual: readField(context, condition.field), passed: compileCondition(condition)(context) }];
}

function readField(context: MatchContext, field: string): unknown {
  const [root, ...path] = field.split(".");
  let value: unknown = context[root as keyof MatchContext];
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
