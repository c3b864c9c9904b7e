/**
 * The learning loop's periodic step (a BullMQ repeatable job; the simulator calls it directly): recompute
 * the gate's message priors, then review every voted variant for auto-pause — a safety net for votes
 * whose immediate review failed and for a policy whose bounds were just tightened.
 */
import type { EngineContext } from "../context";
import { loadPolicy } from "../policy/policy-store";
import { refreshGatePriors } from "./gate-model";
import { reviewVariant } from "./variant-pauses";

export interface LearningModelRefresh {
  priors: number;
  reviewed: number;
  paused: string[];
}

/** Refreshes priors and reviews variants as of the engine clock's now. */
export async function refreshLearningModel(ctx: EngineContext): Promise<LearningModelRefresh> {
  const now = ctx.clock.now();
  const priors = await refreshGatePriors(ctx.database.pool, now);
  const policy = await loadPolicy(ctx.prisma);
  const { rows } = await ctx.database.pool.query<{ template_key: string; variant: string }>(
    `SELECT DISTINCT m.template_key, m.variant FROM messages m
      WHERE m.vote IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM variant_pauses p WHERE p.template_key = m.template_key AND p.variant_key = m.variant AND p.unpaused_at IS NULL)`,
  );
  const paused: string[] = [];
  for (const row of rows) {
    const verdict = await reviewVariant(ctx.database.pool, row.template_key, row.variant, policy.autoPause, now);
    if (verdict?.pause) paused.push(`${row.template_key}/${row.variant}`);
  }
  if (paused.length) ctx.log.info({ paused }, "auto-paused variants");
  return { priors, reviewed: rows.length, paused };
}
