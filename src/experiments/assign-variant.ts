/**
 * Picks the variant a learner gets from a rule's template, by the rule's experiment mode, skipping
 * paused variants. The assignment and the policy that made it are stored on the message, so analysis
 * can stay unbiased (e.g. bandit traffic is not a random split).
 */
import type { Pool } from "pg";
import type { EngineContext } from "../context";
import type { ActiveRule } from "../content/active-rules";
import type { PublishedTemplate } from "../content/published-templates";
import { assignSplit } from "./split";

export interface VariantAssignment {
  variant: string;
  /** Stored as messages.assignment: {policy, ...numbers behind the choice}. */
  details: Record<string, unknown>;
}

/** Paused variant keys of a template. */
export async function loadPausedVariants(pool: Pool, templateKey: string): Promise<Set<string>> {
  const { rows } = await pool.query<{ variant_key: string }>(`SELECT variant_key FROM variant_pauses WHERE template_key = $1`, [templateKey]);
  return new Set(rows.map((r) => r.variant_key));
}

/** The learner's variant, or null when every variant is paused or weighted zero. */
export async function assignVariant(
  _ctx: EngineContext,
  rule: ActiveRule,
  template: PublishedTemplate,
  learnerId: string,
  paused: Set<string>,
): Promise<VariantAssignment | null> {
  const variants = template.variants.map((v) => ({ key: v.key, weight: v.weight }));
  const split = assignSplit(learnerId, rule.key, variants, paused);
  if (!split) return null;
  return { variant: split.variant, details: { policy: "split", bucket: split.bucket } };
}
