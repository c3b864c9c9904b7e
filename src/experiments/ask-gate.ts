/** Loads what the helpfulness gate needs for one decision and returns its verdict with the estimate behind it. */
import type { EngineContext } from "../context";
import { estimateOutcomes, gateDecision, type GateDecision } from "./gate-estimate";
import { loadGatePriors, loadLearnerOutcomes } from "./gate-model";
import type { GateSettings } from "./settings";
import { hashToUnit } from "./split";

/** The gate's decision for sending `templateKey`/`variant` to the learner at `now`. */
export async function askGate(ctx: EngineContext, settings: GateSettings, templateKey: string, variant: string, decision: { learnerId: string; triggerKey: string }, now: Date): Promise<GateDecision> {
  const [priors, learner] = await Promise.all([loadGatePriors(ctx, templateKey, variant), loadLearnerOutcomes(ctx.database.pool, decision.learnerId, now)]);
  const estimate = estimateOutcomes(learner, priors.message, priors.global, settings);
  return gateDecision(estimate, settings, hashToUnit(`gate\u0000${decision.learnerId}\u0000${decision.triggerKey}`));
}
