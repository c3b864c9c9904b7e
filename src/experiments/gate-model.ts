/**
 * The helpfulness gate's data: message-level priors recomputed by a repeatable job into `gate_priors`,
 * read through the context's cache (a minute of engine time), and each learner's own settled outcomes,
 * read live because a learner's last vote should count at their next decision.
 *
 * A delivered message is settled once it has a vote, or SETTLE_HOURS after delivery without one
 * ("no interaction").
 */
import type { Pool } from "pg";
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import type { OutcomeCounts } from "./gate-estimate";

export const SETTLE_HOURS = 24;
interface Priors {
  byVariant: Map<string, OutcomeCounts>;
  global: OutcomeCounts;
}
const GATE_PRIORS = cacheArea<Priors>({ name: "gate-priors", kind: null, maxAgeMs: 60_000 });

type GateContext = Pick<EngineContext, "database" | "cache">;
const ZERO: OutcomeCounts = { helpful: 0, notHelpful: 0, noInteraction: 0 };

/** Recomputes every template variant's settled outcome counts as of `now`; returns how many rows. */
export async function refreshGatePriors(ctx: GateContext, now: Date): Promise<number> {
  const pool = ctx.database.pool;
  const settledBefore = new Date(now.getTime() - SETTLE_HOURS * 3_600_000);
  const result = await pool.query(
    `WITH counts AS (
       SELECT template_key, variant,
              count(*) FILTER (WHERE vote = 'helpful')::int AS helpful,
              count(*) FILTER (WHERE vote = 'not_helpful')::int AS not_helpful,
              count(*) FILTER (WHERE vote IS NULL AND delivered_at < $2)::int AS no_interaction
         FROM messages WHERE delivered_at IS NOT NULL AND delivered_at <= $1 GROUP BY template_key, variant),
     upserted AS (
       INSERT INTO gate_priors (template_key, variant, helpful, not_helpful, no_interaction, refreshed_at)
       SELECT template_key, variant, helpful, not_helpful, no_interaction, $1 FROM counts
       ON CONFLICT (template_key, variant) DO UPDATE SET helpful = EXCLUDED.helpful, not_helpful = EXCLUDED.not_helpful,
         no_interaction = EXCLUDED.no_interaction, refreshed_at = EXCLUDED.refreshed_at
       RETURNING 1)
     SELECT count(*)::int AS n FROM upserted`,
    [now, settledBefore],
  );
  ctx.cache.forget(GATE_PRIORS);
  return result.rows[0].n as number;
}

/** The prior for one template variant and the global one, from the cached `gate_priors`. */
export async function loadGatePriors(ctx: GateContext, templateKey: string, variant: string): Promise<{ message: OutcomeCounts; global: OutcomeCounts }> {
  const priors = await ctx.cache.get(GATE_PRIORS, "all", async () => {
    const { rows } = await ctx.database.pool.query<{ template_key: string; variant: string; helpful: number; not_helpful: number; no_interaction: number }>(
      `SELECT template_key, variant, helpful, not_helpful, no_interaction FROM gate_priors`,
    );
    const global = { ...ZERO };
    const byVariant = new Map<string, OutcomeCounts>();
    for (const r of rows) {
      const counts = { helpful: r.helpful, notHelpful: r.not_helpful, noInteraction: r.no_interaction };
      byVariant.set(`${r.template_key}\u0000${r.variant}`, counts);
      global.helpful += counts.helpful;
      global.notHelpful += counts.notHelpful;
      global.noInteraction += counts.noInteraction;
    }
    return { byVariant, global };
  });
  return { message: priors.byVariant.get(`${templateKey}\u0000${variant}`) ?? ZERO, global: priors.global };
}

/** The learner's own settled outcomes over every message delivered to them before `now`. */
export async function loadLearnerOutcomes(pool: Pool, learnerId: string, now: Date): Promise<OutcomeCounts> {
  const { rows } = await pool.query<{ helpful: number; not_helpful: number; no_interaction: number }>(
    `SELECT count(*) FILTER (WHERE vote = 'helpful')::int AS helpful, count(*) FILTER (WHERE vote = 'not_helpful')::int AS not_helpful,
            count(*) FILTER (WHERE vote IS NULL AND delivered_at < $3)::int AS no_interaction
       FROM messages WHERE learner_id = $1 AND delivered_at IS NOT NULL AND delivered_at <= $2`,
    [learnerId, now, new Date(now.getTime() - SETTLE_HOURS * 3_600_000)],
  );
  return { helpful: rows[0].helpful, notHelpful: rows[0].not_helpful, noInteraction: rows[0].no_interaction };
}
