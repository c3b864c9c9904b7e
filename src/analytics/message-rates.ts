/**
 * Message rates grouped by any of template, variant, rule, segment, course, day — counted in SQL over the
 * `analytics.message_facts` view (the same view analysts query), rates and Wilson intervals computed here.
 * `day` is the local date in the report's time zone (UTC by default, which is the view's own `day`).
 */
import type { Pool } from "pg";
import { ValidationError } from "../lib/errors";
import { wilsonInterval } from "./stats/wilson";
import { DEFAULT_REPORT_TIMEZONE } from "./report-window";

export const MESSAGE_GROUPS = { template: "template_key", variant: "variant", rule: "rule_key", segment: "segment_key", course: "course_id", day: "day" } as const;
export type MessageGroup = keyof typeof MESSAGE_GROUPS;

export interface RateFilter {
  groupBy: MessageGroup[];
  from?: Date;
  to?: Date;
  courseId?: string;
  /** IANA zone whose calendar days `day` groups by (default UTC). */
  timeZone?: string;
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
  // Whitelisted names only; the local day is computed from delivered_at in the zone bound as $4.
  const columns = filter.groupBy.map((g) => `${g === "day" ? "(delivered_at AT TIME ZONE $4)::date" : MESSAGE_GROUPS[g]} AS "${g}"`);
  const { rows } = await inTimeZone(() =>
    pool.query(
      `SELECT ${[
        ...columns,
        "count(*)::int AS delivered",
        "sum(seen)::int AS seen",
        "sum(clicked)::int AS clicked",
        "sum(dismissed)::int AS dismissed",
        "sum(responded)::int AS responded",
        "sum(helpful)::int AS helpful",
        "sum(not_helpful)::int AS not_helpful",
        "sum(engaged)::int AS engaged",
      ].join(", ")}
       FROM analytics.message_facts
      WHERE ($1::timestamptz IS NULL OR delivered_at >= $1) AND ($2::timestamptz IS NULL OR delivered_at < $2) AND ($3::text IS NULL OR course_id = $3)
      ${filter.groupBy.length ? `GROUP BY ${filter.groupBy.map((_, i) => i + 1).join(", ")} ORDER BY ${filter.groupBy.map((_, i) => i + 1).join(", ")}` : ""}`,
      [filter.from ?? null, filter.to ?? null, filter.courseId ?? null, ...zoneParameter(filter.groupBy, filter.timeZone)],
    ),
  );
  return rows.map((r) => {
    const votes = r.helpful + r.not_helpful;
    const groups = Object.fromEntries(filter.groupBy.map((g) => [g, g === "day" ? isoDay(r[g]) : r[g]]));
    return {
      ...groups,
      delivered: r.delivered,
      seen: r.seen,
      clicked: r.clicked,
      dismissed: r.dismissed,
      responded: r.responded,
      helpful: r.helpful,
      notHelpful: r.not_helpful,
      engagementRate: r.delivered ? r.engaged / r.delivered : null,
      helpfulRate: votes ? r.helpful / votes : null,
      helpfulRateCI: wilsonInterval(r.helpful, votes),
    };
  });
}

export const SUPPRESSION_GROUPS = { reason: "reason", outcome: "outcome", rule: "rule_key", course: "course_id", day: "(created_at AT TIME ZONE $4)::date" } as const;
export type SuppressionGroup = keyof typeof SUPPRESSION_GROUPS;

/** A type, not an interface: rows must stay assignable to Record<string, unknown> for the CSV writer. */
export type SuppressionRow = {
  reason?: string;
  outcome?: string;
  rule?: string | null;
  course?: string | null;
  day?: string;
  count: number;
};

/**
 * Suppression and deferral counts grouped by reason (default) and optionally outcome, rule, course, day.
 * Counted from the `suppressions` table itself (one row per decision, as `analytics.suppression_counts`
 * sums it) so that `day` can be a local day and the window can start at any instant.
 */
export async function suppressionCounts(pool: Pool, filter: { groupBy: SuppressionGroup[]; from?: Date; to?: Date; courseId?: string; timeZone?: string }): Promise<SuppressionRow[]> {
  const groups = filter.groupBy.length ? filter.groupBy : (["reason"] as SuppressionGroup[]);
  const { rows } = await inTimeZone(() =>
    pool.query(
      `SELECT ${groups.map((g) => `${SUPPRESSION_GROUPS[g]} AS "${g}"`).join(", ")}, count(*)::int AS count
       FROM suppressions
      WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2) AND ($3::text IS NULL OR course_id = $3)
      GROUP BY ${groups.map((_, i) => i + 1).join(", ")} ORDER BY count DESC, ${groups.map((_, i) => `${i + 1} NULLS FIRST`).join(", ")}`,
      [filter.from ?? null, filter.to ?? null, filter.courseId ?? null, ...zoneParameter(groups, filter.timeZone)],
    ),
  );
  return rows.map((r) => ({ ...r, ...("day" in r ? { day: isoDay(r.day) } : {}) }));
}

/** $4, the zone of the local day, exists only when the query groups by day (PostgreSQL refuses an unused, untyped parameter). */
function zoneParameter(groups: readonly string[], timeZone: string | undefined): string[] {
  return groups.includes("day") ? [timeZone ?? DEFAULT_REPORT_TIMEZONE] : [];
}

/** A `date` column as YYYY-MM-DD (pg reads it as a local-midnight Date unless told otherwise). */
function isoDay(value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

/** A zone Intl knows but this PostgreSQL does not is the caller's mistake (400), not a server error. */
async function inTimeZone<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if ((error as { code?: string }).code === "22023" && /time zone/i.test((error as Error).message)) {
      throw new ValidationError("Invalid query parameters", [{ path: "query.timezone", message: "this time zone is not known to the database" }]);
    }
    throw error;
  }
}
