/**
 * Pausing and resuming template variants. Auto-pause reviews a variant after each vote (and the learning-model
 * job reviews all of them as a safety net); staff may pause or resume by hand. A pause row outlives a
 * resume (`unpaused_at`), and auto-pause then counts only votes cast after the resume — otherwise the
 * old votes would pause it again at the next vote. Every change is in the audit log.
 */
import type { Pool } from "pg";
import { withTransaction } from "../db/transaction";
import { NotFoundError } from "../lib/errors";
import { judgeVariant, type PauseVerdict } from "./auto-pause";

export interface VariantPauseView {
  variant: string;
  reason: string;
  details: Record<string, unknown>;
  pausedBy: string;
  pausedAt: Date;
}

export interface VariantReview extends PauseVerdict {
  templateKey: string;
  variant: string;
}

/**
 * Reviews the votes of every variant that is not paused (or only `only`), counting for a resumed variant
 * only votes cast after the resume, in one grouped query; pauses (once) each the rule condemns.
 */
export async function reviewVariants(pool: Pool, settings: { minVotes: number; minHelpfulRate: number }, now: Date, only?: { templateKey: string; variant: string }): Promise<VariantReview[]> {
  const { rows } = await pool.query<{ template_key: string; variant: string; helpful: number; votes: number }>(
    `SELECT m.template_key, m.variant, count(*) FILTER (WHERE m.vote = 'helpful')::int AS helpful, count(*)::int AS votes
       FROM messages m
       LEFT JOIN variant_pauses p ON p.template_key = m.template_key AND p.variant_key = m.variant
      WHERE m.vote IS NOT NULL
        AND ($1::text IS NULL OR (m.template_key = $1 AND m.variant = $2))
        AND (p.template_key IS NULL OR (p.unpaused_at IS NOT NULL AND m.voted_at > p.unpaused_at))
      GROUP BY m.template_key, m.variant`,
    [only?.templateKey ?? null, only?.variant ?? null],
  );
  const reviews = rows.map((r) => ({ templateKey: r.template_key, variant: r.variant, ...judgeVariant(r.helpful, r.votes, settings) }));
  for (const review of reviews.filter((r) => r.pause)) {
    const { templateKey, variant, ...verdict } = review;
    await pauseVariant(pool, templateKey, variant, "auto", verdict as unknown as Record<string, unknown>, "auto-pause", now);
  }
  return reviews;
}

/** Pauses a variant (no-op when it already is); audit-logged. True when this call paused it. */
export async function pauseVariant(pool: Pool, templateKey: string, variant: string, reason: string, details: Record<string, unknown>, actor: string, now: Date): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `INSERT INTO variant_pauses (template_key, variant_key, reason, details, paused_by, paused_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (template_key, variant_key) DO UPDATE
         SET reason = EXCLUDED.reason, details = EXCLUDED.details, paused_by = EXCLUDED.paused_by, paused_at = EXCLUDED.paused_at, unpaused_at = NULL, unpaused_by = NULL
         WHERE variant_pauses.unpaused_at IS NOT NULL`,
      [templateKey, variant, reason, JSON.stringify(details), actor, now],
    );
    if (!rowCount) return false;
    await client.query(`INSERT INTO audit_log (actor, action, entity_type, entity_key, details, created_at) VALUES ($1, 'variant.paused', 'template', $2, $3, $4)`, [
      actor,
      templateKey,
      JSON.stringify({ variant, reason, ...details }),
      now,
    ]);
    return true;
  });
}

/** Resumes a paused variant; 404 when it is not paused. Audit-logged. */
export async function unpauseVariant(pool: Pool, templateKey: string, variant: string, actor: string, now: Date): Promise<void> {
  await withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(`UPDATE variant_pauses SET unpaused_at = $3, unpaused_by = $4 WHERE template_key = $1 AND variant_key = $2 AND unpaused_at IS NULL`, [
      templateKey,
      variant,
      now,
      actor,
    ]);
    if (!rowCount) throw new NotFoundError(`Variant ${variant} of template ${templateKey} is not paused`);
    await client.query(`INSERT INTO audit_log (actor, action, entity_type, entity_key, details, created_at) VALUES ($1, 'variant.unpaused', 'template', $2, $3, $4)`, [
      actor,
      templateKey,
      JSON.stringify({ variant }),
      now,
    ]);
  });
}

/** The template's currently paused variants. */
export async function listVariantPauses(pool: Pool, templateKey: string): Promise<VariantPauseView[]> {
  const { rows } = await pool.query(`SELECT variant_key, reason, details, paused_by, paused_at FROM variant_pauses WHERE template_key = $1 AND unpaused_at IS NULL ORDER BY variant_key`, [
    templateKey,
  ]);
  return rows.map((r) => ({ variant: r.variant_key, reason: r.reason, details: r.details, pausedBy: r.paused_by, pausedAt: r.paused_at }));
}
