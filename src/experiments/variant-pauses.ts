/**
 * Pausing and resuming template variants. Auto-pause reviews a variant after each vote (and the gate-model
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

/** Reviews one variant's votes; pauses it (once) when the rule says so. Returns the verdict, or null when already paused. */
export async function reviewVariant(pool: Pool, templateKey: string, variant: string, settings: { minVotes: number; minHelpfulRate: number }, now: Date): Promise<PauseVerdict | null> {
  const { rows } = await pool.query<{ helpful: number; votes: number; paused: boolean }>(
    `SELECT count(*) FILTER (WHERE m.vote = 'helpful')::int AS helpful, count(m.vote)::int AS votes,
            bool_or(p.template_key IS NOT NULL AND p.unpaused_at IS NULL) AS paused
       FROM (SELECT 1) one
       LEFT JOIN variant_pauses p ON p.template_key = $1 AND p.variant_key = $2
       LEFT JOIN messages m ON m.template_key = $1 AND m.variant = $2 AND m.vote IS NOT NULL
                           AND (p.unpaused_at IS NULL OR m.voted_at > p.unpaused_at)`,
    [templateKey, variant],
  );
  if (rows[0].paused) return null;
  const verdict = judgeVariant(rows[0].helpful, rows[0].votes, settings);
  if (verdict.pause) await pauseVariant(pool, templateKey, variant, "auto", verdict as unknown as Record<string, unknown>, "auto-pause", now);
  return verdict;
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
    await client.query(`INSERT INTO audit_log (actor, action, entity_type, entity_key, details, created_at) VALUES ($1, 'variant.paused', 'template', $2, $3, $4)`,
      [actor, templateKey, JSON.stringify({ variant, reason, ...details }), now]);
    return true;
  });
}

/** Resumes a paused variant; 404 when it is not paused. Audit-logged. */
export async function unpauseVariant(pool: Pool, templateKey: string, variant: string, actor: string, now: Date): Promise<void> {
  await withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE variant_pauses SET unpaused_at = $3, unpaused_by = $4 WHERE template_key = $1 AND variant_key = $2 AND unpaused_at IS NULL`,
      [templateKey, variant, now, actor],
    );
    if (!rowCount) throw new NotFoundError(`Variant ${variant} of template ${templateKey} is not paused`);
    await client.query(`INSERT INTO audit_log (actor, action, entity_type, entity_key, details, created_at) VALUES ($1, 'variant.unpaused', 'template', $2, $3, $4)`,
      [actor, templateKey, JSON.stringify({ variant }), now]);
  });
}

/** The template's currently paused variants. */
export async function listVariantPauses(pool: Pool, templateKey: string): Promise<VariantPauseView[]> {
  const { rows } = await pool.query(
    `SELECT variant_key, reason, details, paused_by, paused_at FROM variant_pauses WHERE template_key = $1 AND unpaused_at IS NULL ORDER BY variant_key`,
    [templateKey],
  );
  return rows.map((r) => ({ variant: r.variant_key, reason: r.reason, details: r.details, pausedBy: r.paused_by, pausedAt: r.paused_at }));
}
