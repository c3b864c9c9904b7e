/**
 * Counts the values in a parsed JSON value (objects, arrays and scalars alike), iteratively and stopping
 * just past a limit, so a caller can refuse a huge value in time proportional to the limit rather than
 * to the value: zod's `z.json()` spends about a microsecond per value, a 1 MB body holds 250,000 of them.
 */

/** The number of values in `value`, or `limit + 1` as soon as there are more than `limit`. */
export function countJsonValues(value: unknown, limit: number): number {
  const stack: unknown[] = [value];
  let count = 0;
  while (stack.length > 0) {
    const current = stack.pop();
    count += 1;
    if (count > limit) return count;
    if (typeof current !== "object" || current === null) continue;
    if (Array.isArray(current)) {
      // Only what can still be counted is pushed: a million-item array costs `limit` pushes, not a million.
      for (let i = 0; i < current.length && stack.length <= limit; i += 1) stack.push(current[i]);
    } else {
      // Object.keys, not for…in: for…in on an object of 60,000 keys costs ~20 ms before its first step.
      const keys = Object.keys(current);
      for (let i = 0; i < keys.length && stack.length <= limit; i += 1) stack.push((current as Record<string, unknown>)[keys[i]]);
    }
  }
  return count;
}
