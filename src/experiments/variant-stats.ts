/**
 * Outcome counts per variant of a rule's template, as the bandit needs them. Cached per (rule, template)
 * for a minute of engine time: posteriors move slowly, and one query per event would cost more than the
 * decision itself. Engine time (not wall time) so the simulator's weeks see fresh counts.
 */
import type { Pool } from "pg";
import type { Clock } from "../lib/clock";

export interface VariantOutcomes {
  delivered: number;
  engaged: number;
  helpful: number;
  notHelpful: number;
}

const TTL_MS = 60_000;
const caches = new WeakMap<Pool, Map<string, { at: number; stats: Map<string, VariantOutcomes> }>>();

/** Counts per variant of messages this rule delivered with this template. */
export async function loadVariantOutcomes(pool: Pool, clock: Clock, ruleKey: string, templateKey: string): Promise<Map<string, VariantOutcomes>> {
  let cache = caches.get(pool);
  if (!cache) caches.set(pool, (cache = new Map()));
  const key = `${ruleKey}\u0000${templateKey}`;
  const now = clock.now().getTime();
  const hit = cache.get(key);
  if (hit && now - hit.at < TTL_MS && now >= hit.at) return hit.stats;
  const { rows } = await pool.query<{ variant: string; delivered: number; engaged: number; helpful: number; not_helpful: number }>(
    `SELECT variant, count(*)::int AS delivered,
            count(*) FILTER (WHERE clicked_at IS NOT NULL OR responded_at IS NOT NULL OR vote IS NOT NULL)::int AS engaged,
            count(*) FILTER (WHERE vote = 'helpful')::int AS helpful, count(*) FILTER (WHERE vote = 'not_helpful')::int AS not_helpful
       FROM messages WHERE rule_key = $1 AND template_key = $2 AND delivered_at IS NOT NULL GROUP BY variant`,
    [ruleKey, templateKey],
  );
  const stats = new Map(rows.map((r) => [r.variant, { delivered: r.delivered, engaged: r.engaged, helpful: r.helpful, notHelpful: r.not_helpful }]));
  cache.set(key, { at: now, stats });
  return stats;
}
