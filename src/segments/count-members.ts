/**
 * The live count of an attribute segment being edited, before it is saved: the same SQL its members are
 * listed with (condition-sql.ts), counted up to a cap and within a statement timeout, so typing into the
 * condition builder can never make the database count a million learners per keystroke.
 */
import type { Pool } from "pg";
import { ValidationError } from "../lib/errors";
import { zodFieldErrors } from "../lib/zod-errors";
import { conditionSchema, type Condition } from "../matching/conditions.schema";
import { conditionToSql } from "./condition-sql";

/** Counting stops here: past it the answer is "more than". */
export const COUNT_CAP = 100_000;
/** A count taking longer answers `timedOut` instead. */
export const COUNT_TIMEOUT_MS = 5_000;

export interface SegmentCount {
  /** Learners matching now, or null when the count timed out. */
  count: number | null;
  /** True when there are more than `count` (the cap was reached). */
  capped: boolean;
  timedOut: boolean;
}

/** Counts the learners an unsaved attribute definition selects. 400 with paths for invalid conditions. */
export async function countAttributeMembers(pool: Pool, conditions: unknown): Promise<SegmentCount> {
  const parsed = conditionSchema.safeParse(conditions);
  if (!parsed.success) throw new ValidationError("The segment's conditions are invalid", zodFieldErrors(parsed.error, "conditions"));
  const where = conditionToSql(parsed.data as Condition, 1);
  const client = await pool.connect();
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(COUNT_TIMEOUT_MS)]);
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM learners l WHERE ${where.text} LIMIT ${COUNT_CAP + 1}) x`, where.values);
    await client.query("COMMIT");
    const n = Number(rows[0].n);
    return { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP, timedOut: false };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if ((error as { code?: string }).code === "57014") return { count: null, capped: false, timedOut: true }; // query_canceled: the timeout
    throw error;
  } finally {
    client.release();
  }
}
