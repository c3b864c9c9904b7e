/**
 * Outcome counts per variant of a rule's template, as the bandit needs them. Cached on the context per
 * (rule, template) for a minute of engine time: posteriors move slowly, and one query per event would cost more than the
 * decision itself. Engine time (not wall time) so the simulator's weeks see fresh counts.
 *
 * The count covers every message the rule delivered (an index-only scan of messages_variant_outcomes_idx; tens
 * of milliseconds for tens of thousands, seconds on a busy server), so once loaded an expired entry is served
 * while one refresh runs in the background, for up to five more minutes (ctx.cache's staleForMs): a matching
 * batch never waits for it, at the price of counts one refresh older.
 */
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";

export interface VariantOutcomes {
  delivered: number;
  engaged: number;
  helpful: number;
  notHelpful: number;
}

const VARIANT_OUTCOMES = cacheArea<Map<string, VariantOutcomes>>({ name: "variant-outcomes", kind: null, maxAgeMs: 60_000, staleForMs: 300_000, maxEntries: 10_000 });

/** Counts per variant of messages this rule delivered with this template. */
export async function loadVariantOutcomes(ctx: Pick<EngineContext, "database" | "cache">, ruleKey: string, templateKey: string): Promise<Map<string, VariantOutcomes>> {
  return ctx.cache.get(VARIANT_OUTCOMES, `${ruleKey}\u0000${templateKey}`, async () => {
    const { rows } = await ctx.database.pool.query<{ variant: string; delivered: number; engaged: number; helpful: number; not_helpful: number }>(
      `SELECT variant, count(*)::int AS delivered,
              count(*) FILTER (WHERE clicked_at IS NOT NULL OR responded_at IS NOT NULL OR vote IS NOT NULL)::int AS engaged,
              count(*) FILTER (WHERE vote = 'helpful')::int AS helpful, count(*) FILTER (WHERE vote = 'not_helpful')::int AS not_helpful
         FROM messages WHERE rule_key = $1 AND template_key = $2 AND delivered_at IS NOT NULL GROUP BY variant`,
      [ruleKey, templateKey],
    );
    return new Map(rows.map((r) => [r.variant, { delivered: r.delivered, engaged: r.engaged, helpful: r.helpful, notHelpful: r.not_helpful }]));
  });
}
