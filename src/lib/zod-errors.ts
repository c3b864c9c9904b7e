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

/** One FieldError per zod issue, unrecognized keys reported each at their own path. */
export function zodFieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) errors.push({ path: formatPath([...issue.path, key], prefix), message: "Unknown field" });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the branch that got furthest rather than the opaque "invalid input".
      const best = issue.errors.reduce((a, b) => (a.length <= b.length ? a : b));
      for (const inner of best) errors.push({ path: formatPath([...issue.path, ...inner.path], prefix), message: inner.message });
    } else {
      errors.push({ path: formatPath(issue.path, prefix), message: issue.message });
    }
  }
  return errors;
}
