/**
 * What the engine is configured with: one policy for the run (it carries auto-pause's thresholds), and per
 * experiment — one family's seed in one arm — its own two-variant template, its own rule firing on study
 * sessions in its own course, and its own learners. Experiments share nothing the engine keys by rule,
 * template, course or learner, so many of them run side by side in one engine: the batch paths see the
 * batch sizes they see in production, and a run costs one pass over the simulated weeks instead of one per
 * experiment. (What they do share: the gate's all-messages prior, which its variant priors shrink toward with 10
 * pseudo-messages, and the policy; both are the same in production, where every rule shares them.)
 */
import type { EngineContext } from "../src/context";
import { createTemplate } from "../src/content/template-store";
import { createRule } from "../src/content/rule-store";
import { createRuleSchema } from "../src/content/rule.schema";
import { savePolicy } from "../src/policy/policy-store";
import { policySchema } from "../src/throttle/policy";
import type { Knobs } from "./knobs";

export type ArmKey = "split" | "bandit" | "on";

export interface ArmSettings {
  name: string;
  bandit: boolean;
  gate: boolean;
}

export const ARMS: Record<ArmKey, ArmSettings> = {
  split: { name: "loop off (fixed 50/50 split, no gate)", bandit: false, gate: false },
  bandit: { name: "bandit only (no gate)", bandit: true, gate: false },
  on: { name: "loop on (bandit + gate)", bandit: true, gate: true },
};

export const HOLDOUT_SHARE = 0.1;
export const FOLLOW_UP = { eventType: "module.completed", withinDays: 7 };
export const COOLDOWN_HOURS = 44;

/** Writes the run's policy as staff would (auto-pause thresholds from the knobs). */
export async function configurePolicy(ctx: EngineContext, knobs: Knobs): Promise<void> {
  await savePolicy(ctx, policySchema.parse({ maxPerDay: 3, maxPerWeek: 10, minGapMinutes: 60, autoPause: knobs.autoPause }), "simulator", ctx.clock.now());
}

/** Writes one experiment's template and rule through the engine's own stores; `key` names the rule, template and course. */
export async function configureExperiment(ctx: EngineContext, key: string, arm: ArmKey, knobs: Knobs): Promise<void> {
  const now = ctx.clock.now();
  const settings = ARMS[arm];
  await createTemplate(
    ctx,
    {
      key,
      name: `Keep going (${key})`,
      kind: "nudge",
      variants: [
        { key: "A", title: "Keep going", body: 'Nice work, {{default learner.firstName "there"}}. Next module?', weight: 1 },
        { key: "B", title: "You are growing", body: 'Every session grows your skill, {{default learner.firstName "there"}}. Next module?', weight: 1 },
      ],
    },
    "simulator",
    now,
  );
  await createRule(
    ctx,
    createRuleSchema.parse({
      key,
      name: `After a study session (${key})`,
      templateKey: key,
      trigger: { eventType: "video.watched", courseId: key },
      cooldownHours: COOLDOWN_HOURS,
      experiment: settings.bandit ? { mode: "bandit", seed: `sim-${key}`, minExplorationShare: knobs.explorationFloor } : { mode: "split" },
      holdout: { share: HOLDOUT_SHARE, followUp: FOLLOW_UP },
      gate: settings.gate ? { priorStrength: knobs.priorStrength } : null,
    }),
    "simulator",
    now,
  );
}
