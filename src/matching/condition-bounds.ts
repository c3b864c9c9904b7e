/**
 * Depth and size limits of a condition, checked on the raw JSON before zod parses it. zod's recursive
 * union reports errors in super-linear time (1,000 nested `not` took 50 s to reject), so the limits must
 * hold before the schema runs: this walk is iterative, touches each node once and stops at the first
 * limit crossed, so it costs at most a few thousand steps whatever the input.
 */
import { countJsonValues } from "../lib/json-value-count";

/** A condition nests at most this many levels: `{not: leaf}` is 2 deep. */
export const MAX_CONDITION_DEPTH = 10;

/** Leaves (`{field, op, value}`) in one condition, and entries in one `all`/`any` list. */
export const MAX_CONDITION_LEAVES = 200;

/** Nodes of any kind: a valid condition has at most one inner node per leaf and level. */
export const MAX_CONDITION_NODES = MAX_CONDITION_LEAVES * MAX_CONDITION_DEPTH;

/**
 * JSON values inside the comparisons' `value`s, in all (an `in` list of 1,000 ids is 1,001). Storing a
 * condition costs about 2 µs a value (the ORM walks JSON arguments), and matching an `in` list is linear:
 * a set of 100,000 learners or courses belongs in a segment, not in a rule.
 */
export const MAX_CONDITION_VALUES = 5_000;

/** Where a limit is crossed (relative to the condition) and which one. */
export interface ConditionBoundsIssue {
  path: PropertyKey[];
  message: string;
}

interface Pending {
  node: unknown;
  path: PropertyKey[];
  level: number;
}

/**
 * The first depth or size limit `value` crosses, or null. Shapes other than `all`/`any`/`not` are left to
 * the schema (they count as leaves here), so this never rejects what the schema would accept.
 */
export function findConditionBoundsIssue(value: unknown): ConditionBoundsIssue | null {
  const stack: Pending[] = [{ node: value, path: [], level: 1 }];
  let leaves = 0;
  let nodes = 0;
  let values = 0;
  while (stack.length > 0) {
    const { node, path, level } = stack.pop() as Pending;
    nodes += 1;
    if (nodes > MAX_CONDITION_NODES) return { path, message: `The condition has more than ${MAX_CONDITION_NODES} parts` };
    if (level > MAX_CONDITION_DEPTH) return { path, message: `Conditions may nest at most ${MAX_CONDITION_DEPTH} levels deep` };
    const children = childrenOf(node);
    if (children === null) {
      leaves += 1;
      if (leaves > MAX_CONDITION_LEAVES) return { path, message: `A condition may hold at most ${MAX_CONDITION_LEAVES} field comparisons` };
      const value = typeof node === "object" && node !== null && Object.hasOwn(node, "value") ? (node as { value: unknown }).value : undefined;
      if (value !== undefined) values += countJsonValues(value, MAX_CONDITION_VALUES - values);
      if (values > MAX_CONDITION_VALUES) {
        return { path: [...path, "value"], message: `The values compared against may hold at most ${MAX_CONDITION_VALUES} items in all (use a segment for larger sets)` };
      }
      continue;
    }
    if (children.list.length > MAX_CONDITION_LEAVES) {
      return { path: [...path, children.key], message: `"${children.key}" may list at most ${MAX_CONDITION_LEAVES} conditions` };
    }
    // Pushed in reverse so the walk (and so the first issue found) follows document order.
    for (let i = children.list.length - 1; i >= 0; i -= 1) {
      const childPath = children.key === "not" ? [...path, "not"] : [...path, children.key, i];
      stack.push({ node: children.list[i], path: childPath, level: level + 1 });
    }
  }
  return null;
}

/** The sub-conditions of an `all`/`any`/`not` node, or null for a leaf (or anything else). */
function childrenOf(node: unknown): { key: "all" | "any" | "not"; list: readonly unknown[] } | null {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return null;
  const record = node as Record<string, unknown>;
  if (Object.hasOwn(record, "all") && Array.isArray(record.all)) return { key: "all", list: record.all };
  if (Object.hasOwn(record, "any") && Array.isArray(record.any)) return { key: "any", list: record.any };
  if (Object.hasOwn(record, "not")) return { key: "not", list: [record.not] };
  return null;
}
