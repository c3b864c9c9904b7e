/**
 * What judging a batch of matched rules reads from the database, read once for the whole batch: each
 * learner's delivery state (history of every rule they matched, preferences) and the paused variants of
 * every template involved — two queries, whether the batch holds one event or hundreds.
 */
import type { EngineContext } from "../context";
import type { ActiveRule } from "../content/active-rules";
import { loadPublishedTemplate } from "../content/published-templates";
import { loadDeliveryStates, type LoadedDeliveryState } from "../delivery/delivery-state";
import { loadPausedVariantsOf } from "../experiments/assign-variant";

export interface JudgeInputs {
  deliveryState(learnerId: string): LoadedDeliveryState;
  pausedVariants(templateKey: string): Set<string>;
}

/** Loads the inputs for judging `rules` for each learner at `now` or later. */
export async function loadJudgeInputs(ctx: EngineContext, asks: Array<{ learnerId: string; rules: ActiveRule[] }>, now: Date): Promise<JudgeInputs> {
  const templateKeys = new Set<string>();
  for (const key of new Set(asks.flatMap((a) => a.rules.map((r) => r.templateKey)))) {
    // Published templates are cached; only the pause state of those that exist is read here.
    if (await loadPublishedTemplate(ctx, key)) templateKeys.add(key);
  }
  const [states, paused] = await Promise.all([
    loadDeliveryStates(
      ctx.database.pool,
      asks.map((a) => ({ learnerId: a.learnerId, rules: a.rules.map((r) => ({ key: r.key, cooldownHours: r.cooldownHours, maxPerLearner: r.maxPerLearner })) })),
      now,
      ctx.config.throttle,
    ),
    loadPausedVariantsOf(ctx.database.pool, [...templateKeys]),
  ]);
  return {
    deliveryState: (learnerId) => {
      const state = states.get(learnerId);
      if (!state) throw new Error(`delivery state of ${learnerId} was not loaded`);
      return state;
    },
    pausedVariants: (templateKey) => paused.get(templateKey) ?? new Set(),
  };
}
