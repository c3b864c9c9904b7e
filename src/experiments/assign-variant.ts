/**
 * Picks the variant a learner gets from a rule's template, by the rule's experiment mode, skipping
 * paused variants. The assignment and the policy that made it are stored on the message, so analysis
 * can stay unbiased (bandit traffic is not a random split; the recorded posteriors say how it was made).
 */
import type { Pool } from "pg";
import type { EngineContext } from "../context";
import type { ActiveRule } from "../content/active-rules";
import type { PublishedTemplate } from "../content/published-templates";
import { assignSplit } from "./split";
import { thompsonChoose } from "./thompson";
import { loadVariantOutcomes } from "./variant-stats";

export interface VariantAssignment {
  variant: string;
  /** Stored as messages.assignment: {policy, ...numbers behind the choice}. */
  details: Record<string, unknown>;
}

/** Paused variant keys of a template (resumed ones excluded). */
export async function loadPausedVariants(pool: Pool, templateKey: string): Promise<Set<string>> {
  return (await loadPausedVariantsOf(pool, [templateKey])).get(templateKey)!;
}

/** Paused variant keys of each template, in one query; every template asked has an entry. */
export async function loadPausedVariantsOf(pool: Pool, templateKeys: string[]): Promise<Map<string, Set<string>>> {
  const paused = new Map(templateKeys.map((key) => [key, new Set<string>()]));
  if (templateKeys.length === 0) return paused;
  const { rows } = await pool.query<{ template_key: string; variant_key: string }>(
    `SELECT template_key, variant_key FROM variant_pauses WHERE template_key = ANY($1::text[]) AND unpaused_at IS NULL`,
    [[...paused.keys()]],
  );
  for (const r of rows) paused.get(r.template_key)?.add(r.variant_key);
  return paused;
}

/** The learner's variant for one trigger, or null when every variant is paused or weighted zero. */
export async function assignVariant(
  ctx: EngineContext,
  rule: ActiveRule,
  template: PublishedTemplate,
  decision: { learnerId: string; triggerKey: string },
  paused: Set<string>,
): Promise<VariantAssignment | null> {
  const active = template.variants.filter((v) => v.weight > 0 && !paused.has(v.key));
  if (active.length === 0) return null;
  const experiment = rule.experiment;
  if (experiment?.mode === "bandit" && active.length > 1) {
    const outcomes = await loadVariantOutcomes(ctx, rule.key, template.key);
    const arms = active.map((v) => {
      const o = outcomes.get(v.key) ?? { delivered: 0, engaged: 0, helpful: 0, notHelpful: 0 };
      return experiment.reward === "engagement" ? { key: v.key, successes: o.engaged, failures: o.delivered - o.engaged } : { key: v.key, successes: o.helpful, failures: o.notHelpful };
    });
    const seed = `${experiment.seed ?? rule.key}|${decision.learnerId}|${decision.triggerKey}`;
    const choice = thompsonChoose(arms, experiment.minExplorationShare, seed);
    return {
      variant: choice.variant,
      details: { policy: "bandit", reward: experiment.reward, explorationShare: experiment.minExplorationShare, explored: choice.explored, arms: choice.arms },
    };
  }
  const split = assignSplit(decision.learnerId, rule.key, active, paused);
  if (!split) return null;
  // Every active variant's share at this moment: what the sample-ratio check expects (analytics.experiment_results).
  const total = active.reduce((sum, v) => sum + v.weight, 0);
  const shares = Object.fromEntries(active.map((v) => [v.key, Number((v.weight / total).toFixed(6))]));
  return { variant: split.variant, details: { policy: "split", bucket: split.bucket, shares } };
}
