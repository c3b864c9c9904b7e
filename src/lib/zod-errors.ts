/** Turns zod issues into the contract's `errors: [{path, message}]` with body paths like `events[3].occurredAt`. */
import type { z } from "zod";
import type { FieldError } from "./errors";

/** Formats a path array as `a.b[3].c`; a prefix is prepended (e.g. "query"). */
export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

type Issue = z.core.$ZodIssue;

/** One FieldError per zod issue, unrecognized keys reported each at their own path. */
export function zodFieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  return flatten(error.issues, []).map(({ path, message }) => ({ path: formatPath(path, prefix), message }));
}

/**
 * Flattens issues to leaves. For a union, reports the branch that got furthest into the input (the deepest
 * paths, then the fewest problems) rather than the opaque "invalid input": for a condition
 * `{all: [{op: "between"}]}` that is `all[0].op`, not the whole condition.
 */
function flatten(issues: readonly Issue[], base: PropertyKey[]): Array<{ path: PropertyKey[]; message: string }> {
  const out: Array<{ path: PropertyKey[]; message: string }> = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: [...path, key], message: "Unknown field" });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => flatten(branch, path));
      const depth = (leaves: Array<{ path: PropertyKey[] }>) => Math.max(...leaves.map((l) => l.path.length));
      const best = branches.reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && b.length < a.length) ? b : a));
      out.push(...best);
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}
