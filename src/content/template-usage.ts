/**
 * Where a template is used: the rules that send it and its latest deliveries, so content staff know what
 * an edit or a publish reaches before they make it.
 */
import type { Pool } from "pg";
import type { Db } from "../db/client";
import { NotFoundError } from "../lib/errors";

export interface TemplateUsage {
  rules: Array<{ key: string; name: string; enabled: boolean; eventType: string | null; inactiveDays: number | null; courseId: string | null }>;
  deliveries: Array<{ messageId: string; learnerId: string; courseId: string | null; ruleKey: string; templateVersion: number; variant: string; status: string; deliveredAt: Date }>;
}

/** Deliveries listed, at most. */
export const RECENT_DELIVERIES = 20;

/** The rules (not deleted) that send `key`, and its most recent deliveries, newest first. 404 for an unknown template. */
export async function loadTemplateUsage(db: Db, pool: Pool, key: string): Promise<TemplateUsage> {
  if (!(await db.template.findUnique({ where: { key }, select: { key: true } }))) throw new NotFoundError(`No template ${key}`);
  const [rules, deliveries] = await Promise.all([
    db.rule.findMany({ where: { templateKey: key, deletedAt: null }, orderBy: { key: "asc" }, select: { key: true, name: true, enabled: true, eventType: true, inactiveDays: true, courseId: true } }),
    pool.query<{ id: string; learner_id: string; course_id: string | null; rule_key: string; template_version: number; variant: string; status: string; delivered_at: Date }>(
      `SELECT id, learner_id, course_id, rule_key, template_version, variant, status, delivered_at FROM messages
        WHERE template_key = $1 AND delivered_at IS NOT NULL ORDER BY delivered_at DESC LIMIT ${RECENT_DELIVERIES}`,
      [key],
    ),
  ]);
  return {
    rules,
    deliveries: deliveries.rows.map((r) => ({
      messageId: r.id,
      learnerId: r.learner_id,
      courseId: r.course_id,
      ruleKey: r.rule_key,
      templateVersion: r.template_version,
      variant: r.variant,
      status: r.status,
      deliveredAt: r.delivered_at,
    })),
  };
}
