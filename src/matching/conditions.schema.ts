/**
 * The condition language of rules and attribute segments: `{all: […]}`, `{any: […]}`, `{not: …}` and
 * leaves `{field, op, value}`. Validated on save (with body paths), so matching never meets a bad condition.
 */
import { z } from "zod";
import { CONDITION_ROOTS } from "./match-context";

export const OPERATORS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "nin", "exists", "contains"] as const;
export type Operator = (typeof OPERATORS)[number];

const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
export const MAX_DEPTH = 10;
export const MAX_LEAVES = 200;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: string; op: Operator; value?: unknown };

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const fieldSchema = z.string().min(1).max(200).superRefine((field, ctx) => {
  const segments = field.split(".");
  if (!(CONDITION_ROOTS as readonly string[]).includes(segments[0])) {
    ctx.addIssue({ code: "custom", message: `must start with one of ${CONDITION_ROOTS.join(", ")}` });
  } else if (segments.some((s) => s === "")) {
    ctx.addIssue({ code: "custom", message: "must not have empty path segments" });
  } else if (segments.some((s) => FORBIDDEN_SEGMENTS.has(s))) {
    ctx.addIssue({ code: "custom", message: "must not use __proto__, constructor or prototype" });
  }
});

const leafSchema = z
  .strictObject({ field: fieldSchema, op: z.enum(OPERATORS), value: z.unknown().optional() })
  .superRefine((leaf, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: "custom", path: ["value"], message });
    const v = leaf.value;
    switch (leaf.op) {
      case "in":
      case "nin":
        if (!Array.isArray(v) || !v.every((x) => scalar.safeParse(x).success)) bad("must be an array of strings, numbers or booleans");
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
        if (!scalar.safeParse(v).success || v === null) bad("must be a string, number or boolean");
        break;
      default:
        if (v === undefined) bad("is required");
    }
  });

export const conditionSchema: z.ZodType<Condition> = z
  .lazy(() => z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1).max(MAX_LEAVES) }),
    z.strictObject({ any: z.array(conditionSchema).min(1).max(MAX_LEAVES) }),
    z.strictObject({ not: conditionSchema }),
    leafSchema,
  ]))
  .superRefine((c, ctx) => {
    const { depth, leaves } = measure(c);
    if (depth > MAX_DEPTH) ctx.addIssue({ code: "custom", message: `nests deeper than ${MAX_DEPTH} levels` });
    if (leaves > MAX_LEAVES) ctx.addIssue({ code: "custom", message: `has more than ${MAX_LEAVES} conditions` });
  }) as z.ZodType<Condition>;

function measure(c: Condition): { depth: number; leaves: number } {
  if ("all" in c || "any" in c) {
    const children = ("all" in c ? c.all : c.any).map(measure);
    return { depth: 1 + Math.max(0, ...children.map((m) => m.depth)), leaves: children.reduce((a, m) => a + m.leaves, 0) };
  }
  if ("not" in c) {
    const inner = measure(c.not);
    return { depth: inner.depth + 1, leaves: inner.leaves };
  }
  return { depth: 1, leaves: 1 };
}
