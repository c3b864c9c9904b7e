/**
 * Attribute-segment conditions as a SQL WHERE clause over learners `l` (per-course state and insights
 * through EXISTS subqueries), so `GET /members` pages through members in the database instead of loading
 * every learner. Values are always bound parameters; field names come from a whitelist or become jsonb path
 * parameters. Semantics follow the matcher: a missing field fails eq/comparisons and passes ne/nin.
 * `event.*` and `goal.*`/`assessments.*` fields only exist at match time and are rejected here.
 */
import { ValidationError } from "../lib/errors";
import type { Condition } from "../matching/conditions.schema";

export interface SqlFragment {
  text: string;
  values: unknown[];
}

const LEARNER_COLUMNS: Record<string, string> = { id: "l.id", name: "l.name", locale: "l.locale", timezone: "l.timezone" };
const STATE_COLUMNS: Record<string, string> = {
  eventCount: "s.event_count",
  firstActivityAt: "s.first_activity_at",
  lastActivityAt: "s.last_activity_at",
  daysSinceLastActivity: "floor(extract(epoch from (now() - s.last_activity_at)) / 86400)",
};

/** The WHERE clause (without "WHERE"), with parameters numbered from `firstParam`. */
export function conditionToSql(condition: Condition, firstParam = 1): SqlFragment {
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${firstParam + values.length - 1}`;
  };
  const walk = (c: Condition): string => {
    if ("all" in c) return `(${c.all.map(walk).join(" AND ")})`;
    if ("any" in c) return `(${c.any.map(walk).join(" OR ")})`;
    if ("not" in c) return `(NOT COALESCE(${walk(c.not)}, false))`;
    return leaf(c, param);
  };
  return { text: walk(condition), values };
}

function leaf(c: { field: string; op: string; value?: unknown }, param: (v: unknown) => string): string {
  const [root, ...path] = c.field.split(".");
  if (root === "learner") {
    if (path.length === 1 && LEARNER_COLUMNS[path[0]]) return compare(`to_jsonb(${LEARNER_COLUMNS[path[0]]})`, c, param);
    if (path[0] === "attributes" && path.length > 1) return compare(`(l.attributes #> ${param(path.slice(1))}::text[])`, c, param);
  }
  if (root === "state" && path.length >= 1) {
    const expr = STATE_COLUMNS[path[0]] && path.length === 1 ? `to_jsonb(${STATE_COLUMNS[path[0]]})` : path[0] === "eventCounts" && path.length === 2 ? `(s.event_counts -> ${param(path[1])})` : null;
    if (expr) return `EXISTS (SELECT 1 FROM learner_course_state s WHERE s.learner_id = l.id AND COALESCE(${compare(expr, c, param)}, false))`;
  }
  if (root === "insights" && path.length >= 2) {
    const field =
      path[1] === "score"
        ? "to_jsonb(i.score)"
        : path[1] === "value"
          ? `(i.value #> ${param(path.slice(2))}::text[])`
          : path[1] === "metadata"
            ? `(i.metadata #> ${param(path.slice(2))}::text[])`
            : null;
    if (field) return `EXISTS (SELECT 1 FROM insights i WHERE i.learner_id = l.id AND i.key = ${param(path[0])} AND COALESCE(${compare(field, c, param)}, false))`;
  }
  throw new ValidationError(`A segment cannot be listed by ${c.field}`, [
    { path: "conditions", message: `${c.field} exists only when an event is matched; list-able fields are learner.*, state.* and insights.*` },
  ]);
}

function compare(expr: string, c: { op: string; value?: unknown }, param: (v: unknown) => string): string {
  const v = c.value;
  switch (c.op) {
    case "eq":
      return `(${expr} = ${param(JSON.stringify(v))}::jsonb)`;
    case "ne":
      return `(${expr} IS NULL OR ${expr} <> ${param(JSON.stringify(v))}::jsonb)`;
    case "in":
      return `(${expr} = ANY(${param((v as unknown[]).map((x) => JSON.stringify(x)))}::jsonb[]))`;
    case "nin":
      return `(${expr} IS NULL OR NOT (${expr} = ANY(${param((v as unknown[]).map((x) => JSON.stringify(x)))}::jsonb[])))`;
    case "exists":
      return v === false ? `(${expr} IS NULL OR ${expr} = 'null'::jsonb)` : `(${expr} IS NOT NULL AND ${expr} <> 'null'::jsonb)`;
    case "contains":
      return `((jsonb_typeof(${expr}) = 'string' AND strpos(${expr} #>> '{}', ${param(String(v))}) > 0) OR (jsonb_typeof(${expr}) = 'array' AND ${expr} @> jsonb_build_array(${param(JSON.stringify(v))}::jsonb)))`;
    default: {
      const op = { lt: "<", lte: "<=", gt: ">", gte: ">=" }[c.op as "lt"];
      if (typeof v === "number") return `(jsonb_typeof(${expr}) = 'number' AND (${expr})::numeric ${op} ${param(v)}::numeric)`;
      return `(jsonb_typeof(${expr}) = 'string' AND (${expr} #>> '{}') ${op} ${param(String(v))})`;
    }
  }
}
