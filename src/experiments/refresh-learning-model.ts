/**
 * The learning loop's periodic step (a BullMQ repeatable job; the simulator calls it directly): recompute
 * the gate's message priors, then review every voted variant for auto-pause — a safety net for votes
 * whose immediate review failed and for a policy whose bounds were just tightened.
 */
import type { EngineContext } from "../context";
import { loadPolicy } from "../policy/policy-store";
import { refreshGatePriors } from "./gate-model";
import { reviewVariants } from "./variant-pauses";

export interface LearningModelRefresh {
  priors: number;
  reviewed: number;
  paused: string[];
}

/** Refreshes priors and reviews variants as of the engine clock's now. */
export async function refreshLearningModel(ctx: EngineContext): Promise<LearningModelRefresh> {
  const now = ctx.clock.now();
  const priors = await refreshGatePriors(ctx, now);
  const policy = await loadPolicy(ctx);
  const reviews = await reviewVariants(ctx.database.pool, policy.autoPause, now);
  const paused = reviews.filter((r) => r.pause).map((r) => `${r.templateKey}/${r.variant}`);
  if (paused.length) ctx.log.info({ paused }, "auto-paused variants");
  return { priors, reviewed: reviews.length, paused };
}
