/**
 * Message rates grouped by any of template, variant, rule, segment, course, day — counted in SQL over the
 * `analytics.message_facts` view (the same view analysts query), rates and Wilson intervals computed here.
 */
import type { Pool } from "pg";
import { wilsonInterval } from "./stats/wilson";

export const MESSAGE_GROUPS = { template: "template_key", variant: "variant", rule: "rule_key", segment: "segment_key", course: "course_id", day: "day" } as const;
export type MessageGroup = keyof typeof MESSAGE_GROUPS;

export interface RateFilter {
  groupBy: MessageGroup[];
  from?: Date;
  to?: Date;
  courseId?: string;
}

export interface RateRow {
  [group: string]: unknown;
  delivered: number;
  seen: number;
  clicked: number;
  dismissed: number;
  responded: number;
  helpful: number;
  notHelpful: number;
  engagementRate: number | null;
  helpfulRate: number | null;
  helpfulRateCI: [number, number];
}

/** Rows of counts and rates per group (one row overall when groupBy is empty). From inclusive, to exclusive. */
export async function messageRates(pool: Pool, filter: RateFilter): Promise<RateRow[]> {
  const columns = filter.groupBy.map((g) => `${MESSAGE_GROUPS[g]} AS "${g}"`); // whitelisted names only
  const { rows } = await pool.query(
    `SELECT ${[...columns, "count(*)::int AS delivered", "sum(seen)::int AS seen", "sum(clicked)::int AS clicked", "sum(dismissed)::int AS dismissed",
      "sum(responded)::int AS responded", "sum(helpful)::int AS helpful", "sum(not_helpful)::int AS not_helpful", "sum(engaged)::int AS engaged"].join(", ")}
       FROM analytics.message_facts
      WHERE ($1::timestamptz IS NULL OR delivered_at >= $1) AND ($2::timestamptz IS NULL OR delivered_at < $2) AND ($3::text IS NULL OR course_id = $3)
      ${filter.groupBy.length ? `GROUP BY ${filter.groupBy.map((_, i) => i + 1).join(", ")} ORDER BY ${filter.groupBy.map((_, i) => i + 1).join(", ")}` : ""}`,
    [filter.from ?? null, filter.to ?? null, filter.courseId ?? null],
  );
  return rows.map((r) => {
    const votes = r.helpful + r.not_helpful;
    const groups = Object.fromEntries(filter.groupBy.map((g) => [g, g === "day" && r[g] instanceof Date ? (r[g] as Date).toISOString().slice(0, 10) : r[g]]));
    return {
      ...groups, delivered: r.delivered, seen: r.seen, clicked: r.clicked, dismissed: r.dismissed, responded: r.responded,
      helpful: r.helpful, notHelpful: r.not_helpful,
      engagementRate: r.delivered ? r.engaged / r.delivered : null,
      helpfulRate: votes ? r.helpful / votes : null,
      helpfulRateCI: wilsonInterval(r.helpful, votes),
    };
  });
}

export const SUPPRESSION_GROUPS = { reason: "reason", outcome: "outcome", rule: "rule_key", course: "course_id", day: "day" } as const;
export type SuppressionGroup = keyof typeof SUPPRESSION_GROUPS;

/** Suppression and deferral counts grouped by reason (default) and optionally outcome, rule, course, day. */
export async function suppressionCounts(pool: Pool, filter: { groupBy: SuppressionGroup[]; from?: Date; to?: Date; courseId?: string }) {
  const groups = filter.groupBy.length ? filter.groupBy : (["reason"] as SuppressionGroup[]);
  const { rows } = await pool.query(
    `SELECT ${groups.map((g) => `${SUPPRESSION_GROUPS[g]} AS "${g}"`).join(", ")}, sum(count)::int AS count
       FROM analytics.suppression_counts
      WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day < $2::date) AND ($3::text IS NULL OR course_id = $3)
      GROUP BY ${groups.map((_, i) => i + 1).join(", ")} ORDER BY count DESC`,
    [filter.from ?? null, filter.to ?? null, filter.courseId ?? null],
  );
  return rows.map((r) => ({ ...r, ...(r.day instanceof Date ? { day: (r.day as Date).toISOString().slice(0, 10) } : {}) }));
}
