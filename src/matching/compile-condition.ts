/**
 * Compiles a condition into composed closures once, so evaluating it per event is a few property reads
 * and comparisons — no parsing, no eval. Missing fields: `eq` false, `ne` true, `exists` false,
 * comparisons false. Dates compare as instants when both sides are ISO strings.
 */
import type { Condition, Operator } from "./conditions.schema";
import type { MatchContext } from "./match-context";

export type CompiledCondition = (ctx: MatchContext) => boolean;

/** The condition as a predicate over a match context. */
export function compileCondition(c: Condition): CompiledCondition {
  if ("all" in c) {
    const parts = c.all.map(compileCondition);
    return (ctx) => parts.every((p) => p(ctx));
  }
  if ("any" in c) {
    const parts = c.any.map(compileCondition);
    return (ctx) => parts.some((p) => p(ctx));
  }
  if ("not" in c) {
    const inner = compileCondition(c.not);
    return (ctx) => !inner(ctx);
  }
  const [root, ...path] = c.field.split(".") as [keyof MatchContext, ...string[]];
  const test = compileOperator(c.op, c.value);
  return (ctx) => {
    let value: unknown = ctx[root];
    for (const key of path) {
      if (value === null || typeof value !== "object" || !Object.prototype.hasOwnProperty.call(value, key)) {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[key];
    }
    return test(value);
  };
}

function compileOperator(op: Operator, expected: unknown): (actual: unknown) => boolean {
  switch (op) {
    case "eq":
      return (a) => a !== undefined && equals(a, expected);
    case "ne":
      return (a) => a === undefined || !equals(a, expected);
    case "in": {
      const set = expected as unknown[];
      return (a) => a !== undefined && set.some((x) => equals(a, x));
    }
    case "nin": {
      const set = expected as unknown[];
      return (a) => a === undefined || !set.some((x) => equals(a, x));
    }
    case "exists": {
      const want = expected === undefined ? true : Boolean(expected);
      return (a) => (a !== undefined && a !== null) === want;
    }
    case "contains":
      return (a) => (typeof a === "string" ? a.includes(String(expected)) : Array.isArray(a) ? a.some((x) => equals(x, expected)) : false);
    default: {
      const compare = comparator(op);
      return (a) => {
        const order = compareValues(a, expected);
        return order !== null && compare(order);
      };
    }
  }
}

function comparator(op: Operator): (order: number) => boolean {
  if (op === "lt") return (o) => o < 0;
  if (op === "lte") return (o) => o <= 0;
  if (op === "gt") return (o) => o > 0;
  return (o) => o >= 0;
}

/** -1/0/1, or null when the values are not comparable (missing, or of different kinds). */
export function compareValues(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "string" && typeof b === "string") {
    const da = Date.parse(a);
    const db = Date.parse(b);
    if (!Number.isNaN(da) && !Number.isNaN(db) && /\d{4}-\d{2}-\d{2}/.test(a) && /\d{4}-\d{2}-\d{2}/.test(b)) return Math.sign(da - db);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return null;
}

function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
