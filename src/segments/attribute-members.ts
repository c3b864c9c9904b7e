/** Members of an attribute segment, computed in SQL from its conditions (never by loading every learner). */
import type { Pool } from "pg";
import type { Condition } from "../matching/conditions.schema";
import { conditionToSql } from "./condition-sql";
import type { MemberPage } from "./list-members";

/** One page of learners satisfying the conditions, in learner id order after `cursor`. */
export async function listAttributeMembers(pool: Pool, conditions: unknown, limit: number, cursor: string | undefined): Promise<MemberPage> {
  const where = conditionToSql(conditions as Condition, 3);
  const { rows } = await pool.query<{ id: string }>(`SELECT l.id FROM learners l WHERE ($1::text IS NULL OR l.id > $1) AND ${where.text} ORDER BY l.id LIMIT $2`, [
    cursor ?? null,
    limit + 1,
    ...where.values,
  ]);
  const page = rows.slice(0, limit);
  return { members: page.map((r) => ({ learnerId: r.id, addedAt: null })), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}
