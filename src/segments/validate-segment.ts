/** Checks a segment's definition on save: attribute conditions parse, SQL segments are one allowed SELECT that plans. */
import type { Database } from "../db/client";
import { ValidationError } from "../lib/errors";
import { zodFieldErrors } from "../lib/zod-errors";
import { conditionSchema } from "../matching/conditions.schema";
import { probeSegmentSql } from "./sql-segment-query";
import { conditionToSql } from "./condition-sql";

export interface SegmentDefinition {
  conditions: object | null;
  sql: string | null;
}

/** Validates by type; throws ValidationError with paths (`conditions.all[0].op`, `sql`). */
export async function validateSegmentDefinition(database: Database, type: string, conditions: unknown, sql: string | undefined): Promise<SegmentDefinition> {
  if (type === "attributes") {
    const parsed = conditionSchema.safeParse(conditions);
    if (!parsed.success) throw new ValidationError("The segment's conditions are invalid", zodFieldErrors(parsed.error, "conditions"));
    conditionToSql(parsed.data); // listable in SQL: event.* and goal.* fields exist only at match time
    return { conditions: parsed.data as object, sql: null };
  }
  if (type === "sql") {
    if (!sql) throw new ValidationError("A sql segment needs a query", [{ path: "sql", message: "required" }]);
    // Parsed and checked (one SELECT, analyst relations, allowed functions), then planned as the segment role
    // with LIMIT 0: what is refused, an unknown column or a missing learner_id fail now, not at refresh.
    return { conditions: null, sql: await probeSegmentSql(database, sql) };
  }
  return { conditions: null, sql: null };
}
