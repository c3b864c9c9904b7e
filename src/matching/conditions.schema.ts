/**
 * The condition language of rules and attribute segments: `{all: […]}`, `{any: […]}`, `{not: …}` and
 * leaves `{field, op, value}`. Validated on save (with body paths), so matching never meets a bad condition.
 * Depth and size are checked on the raw JSON first (condition-bounds.ts): the recursive union below is
 * only ever run on a condition already known to be small.
 */
import { z } from "zod";
import { CONDITION_ROOTS } from "./match-context";
import { findConditionBoundsIssue, MAX_CONDITION_DEPTH, MAX_CONDITION_LEAVES } from "./condition-bounds";

export const OPERATORS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "nin", "exists", "contains"] as const;
export type Operator = (typeof OPERATORS)[number];

const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
/** How deep a condition may nest (condition-bounds.ts enforces it before parsing). */
export const MAX_DEPTH = MAX_CONDITION_DEPTH;
/** How many field comparisons a condition may hold. */
export const MAX_LEAVES = MAX_CONDITION_LEAVES;

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | { field: string; op: Operator; value?: unknown };

function isScalar(value: unknown): boolean {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
}

const fieldSchema = z
  .string()
  .min(1)
  .max(200)
  .superRefine((field, ctx) => {
    const segments = field.split(".");
    if (!(CONDITION_ROOTS as readonly string[]).includes(segments[0])) {
      ctx.addIssue({ code: "custom", message: `must start with one of ${CONDITION_ROOTS.join(", ")}` });
    } else if (segments.some((s) => s === "")) {
      ctx.addIssue({ code: "custom", message: "must not have empty path segments" });
    } else if (segments.some((s) => FORBIDDEN_SEGMENTS.has(s))) {
      ctx.addIssue({ code: "custom", message: "must not use __proto__, constructor or prototype" });
    }
  });

const leafSchema = z.strictObject({ field: fieldSchema, op: z.enum(OPERATORS), value: z.unknown().optional() }).superRefine((leaf, ctx) => {
  const bad = (message: string) => ctx.addIssue({ code: "custom", path: ["value"], message });
  const v = leaf.value;
  switch (leaf.op) {
    case "in":
    case "nin":
      // A typeof test per item, not a zod parse: `in` lists may be long, and this runs on each of them.
      if (!Array.isArray(v) || !v.every(isScalar)) bad("must be an array of strings, numbers or booleans");
      break;
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      if (!(typeof v === "number" || (typeof v === "string" && !Number.isNaN(Date.parse(v))))) bad("must be a number or an ISO date");
      break;
    case "exists":
      if (v !== undefined && typeof v !== "boolean") bad("must be true or false");
      break;
    case "contains":
      if (!isScalar(v) || v === null) bad("must be a string, number or boolean");
      break;
    default:
      if (v === undefined) bad("is required");
  }
});

/** One node of a condition; recursion goes through this schema, never back through the bounds check. */
const conditionNodeSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionNodeSchema).min(1).max(MAX_LEAVES) }),
    z.strictObject({ any: z.array(conditionNodeSchema).min(1).max(MAX_LEAVES) }),
    z.strictObject({ not: conditionNodeSchema }),
    leafSchema,
  ]),
) as z.ZodType<Condition>;

/**
 * A whole condition as posted: the depth and size limits on the raw value first (linear, with the path
 * where a limit is crossed), and only then the schema. zod skips the schema once the check has an issue.
 */
export const conditionSchema = z.preprocess((value, ctx) => {
  const issue = findConditionBoundsIssue(value);
  if (issue) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path, input: value });
  return value;
}, conditionNodeSchema);
