/**
 * Asks, for one matched rule, everything that can refuse it before a message exists: is its template
 * published, which variant does this learner get (paused variants excluded), and what does the
 * throttle say at the time the nudge would be due.
 */
import type { EngineContext } from "../context";
import type { ActiveRule } from "../content/active-rules";
import { loadPublishedTemplate, type PublishedTemplate } from "../content/published-templates";
import type { LearnerSnapshot } from "../learners/learner-snapshot";
import { loadPolicyInForce } from "../policy/policy-store";
import { decide } from "../throttle/decide";
import { assignVariant, type VariantAssignment } from "../experiments/assign-variant";
import { isHeldOut } from "../experiments/holdout";
import { askGate } from "../experiments/ask-gate";
import type { RuleVerdict } from "./plan-nudge";
import type { JudgeInputs } from "./judge-inputs";

export interface NudgePayload {
  template: PublishedTemplate;
  assignment: VariantAssignment;
  expiresAt: Date | null;
  /** In the rule's holdout: the slot is recorded as a `held_out` message and never delivered. */
  heldOut: boolean;
}

/** Who and what a decision is about: `triggerKey` (event id or inactivity spell) seeds its random draws. */
export interface Decision {
  learnerId: string;
  triggerKey: string;
}

/**
 * The verdict for one rule: send at a due time (maybe deferred), or skip with the reason and numbers.
 * `inputs` were loaded for this learner and rule at `now` (loadJudgeInputs).
 */
export async function judgeRule(ctx: EngineContext, rule: ActiveRule, event: Decision, snapshot: LearnerSnapshot, now: Date, inputs: JudgeInputs): Promise<RuleVerdict<NudgePayload>> {
  const template = await loadPublishedTemplate(ctx, rule.templateKey);
  if (!template) return { type: "skip", reason: "template.unpublished", details: { templateKey: rule.templateKey } };

  const paused = inputs.pausedVariants(template.key);
  const assignment = await assignVariant(ctx, rule, template, event, paused);
  if (!assignment) return { type: "skip", reason: "variant.paused", details: { templateKey: template.key, paused: [...paused] } };

  const policy = await loadPolicyInForce(ctx, ctx.config.throttle);
  // A nudge waits out its decision window, so that a higher-priority match later in the window can outrank it.
  const dueAt = new Date(now.getTime() + Math.max(rule.delaySeconds * 1000, policy.decisionWindowMinutes * 60_000));
  const expiresAt = rule.expiresAfterHours ? new Date(dueAt.getTime() + rule.expiresAfterHours * 3_600_000) : null;
  const { history, preferences } = inputs.deliveryState(event.learnerId);
  const decision = decide({
    now: dueAt,
    policy,
    learner: { timezone: snapshot.learner?.timezone ?? null },
    message: { ruleKey: rule.key, kind: template.kind, essential: rule.essential || template.essential, expiresAt },
    rule: { cooldownHours: rule.cooldownHours, maxPerLearner: rule.maxPerLearner },
    history,
    preferences,
  });
  if (decision.type === "suppress") return { type: "skip", reason: decision.reason, details: decision.details };

  if (rule.gate?.enabled) {
    const gate = await askGate(ctx, rule.gate, template.key, assignment.variant, event, now);
    if (!gate.send) return { type: "skip", reason: "gate", details: { ...gate.estimate, templateKey: template.key, variant: assignment.variant } };
    assignment.details.gate = { why: gate.why, ...gate.estimate };
  }
  const heldOut = isHeldOut(event.learnerId, rule.key, rule.holdout?.share ?? 0);
  if (rule.holdout) assignment.details.holdout = { share: rule.holdout.share, heldOut };
  const payload = { template, assignment, expiresAt, heldOut };
  if (decision.type === "defer") return { type: "send", dueAt: decision.until, payload, deferral: { reason: decision.reason, details: decision.details } };
  return { type: "send", dueAt, payload };
}
