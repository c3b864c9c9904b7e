/**
 * What the engine is configured with for one simulated arm: the policy, one two-variant nudge template and
 * one rule firing on study sessions, with the learning loop switched on or off piece by piece.
 */
import type { EngineContext } from "../src/context";
import { createTemplate } from "../src/content/template-store";
import { createRule } from "../src/content/rule-store";
import { createRuleSchema } from "../src/content/rule.schema";
import { savePolicy } from "../src/policy/policy-store";
import { policySchema } from "../src/throttle/policy";

export interface ArmSettings {
  name: string;
  bandit: boolean;
  gate: boolean;
  holdoutShare: number;
}

export const ARMS: Record<"off" | "bandit" | "on", ArmSettings> = {
  off: { name: "loop off (fixed 50/50 split, no gate)", bandit: false, gate: false, holdoutShare: 0.1 },
  bandit: { name: "bandit only (no gate)", bandit: true, gate: false, holdoutShare: 0.1 },
  on: { name: "loop on (bandit + gate)", bandit: true, gate: true, holdoutShare: 0.1 },
};

export const COURSE = "sim-101";
export const RULE_KEY = "sim-keep-going";
export const FOLLOW_UP = { eventType: "module.completed", withinDays: 7 };

/** Writes the arm's policy, template and rule through the engine's own stores, as staff would. */
/** `gate` overrides the gate's defaults in the loop-on arm (for tuning: `npm run simulate -- --gate '{…}'`). */
export async function configureEngine(ctx: EngineContext, arm: ArmSettings, seed: string, gate: Record<string, unknown> = {}): Promise<void> {
  const now = ctx.clock.now();
  await savePolicy(ctx.prisma, policySchema.parse({ maxPerDay: 3, maxPerWeek: 10, minGapMinutes: 60 }), "simulator", now);
  await createTemplate(ctx.prisma, {
    key: RULE_KEY, name: "Keep going", kind: "nudge",
    variants: [
      { key: "A", title: "Keep going", body: "Nice work, {{default learner.firstName \"there\"}}. Next module?", weight: 1 },
      { key: "B", title: "You are growing", body: "Every session grows your skill, {{default learner.firstName \"there\"}}. Next module?", weight: 1 },
    ],
  }, "simulator", now);
  await createRule(ctx.prisma, createRuleSchema.parse({
    key: RULE_KEY, name: "After a study session", templateKey: RULE_KEY, trigger: { eventType: "video.watched", courseId: COURSE },
    cooldownHours: 44,
    experiment: arm.bandit ? { mode: "bandit", seed: `sim-${seed}` } : { mode: "split" },
    holdout: { share: arm.holdoutShare, followUp: FOLLOW_UP },
    gate: arm.gate ? gate : null,
  }), "simulator", now);
}
