/**
 * The small path language mappings use to say where a field comes from in a statement, envelope event or call:
 *
 *   actor.account.name                                       keys, dot-separated
 *   context.contextActivities.parent[0].id                   an array index ([0] of a single object is itself,
 *                                                            as xAPI 1.0.0 allowed one activity instead of a list)
 *   result.extensions["https://w3id.org/xapi/video/extensions/time"]   a quoted key (IRIs hold dots)
 *   context.contextActivities.parent[definition.type=http://adlnet.gov/expapi/activities/course].id
 *                                                            the first element whose sub-path equals the value
 *   object[definition.type!=http://adlnet.gov/expapi/activities/course].id
 *                                                            … or differs from it (absent counts as different)
 *
 * Paths are compiled once (when mappings load) and read without allocation beyond the walk.
 */

export type PathStep = { kind: "key"; key: string } | { kind: "index"; index: number } | { kind: "filter"; path: string[]; value: string; negated: boolean };

export const MAX_PATH_LENGTH = 400;

/** Compiles a path; throws an Error whose message says what is wrong and where. */
export function compilePath(text: string): PathStep[] {
  if (text.length === 0 || text.length > MAX_PATH_LENGTH) throw new Error(`must be 1–${MAX_PATH_LENGTH} characters`);
  const steps: PathStep[] = [];
  let i = 0;
  const readKey = (): string => {
    const start = i;
    while (i < text.length && text[i] !== "." && text[i] !== "[") i++;
    if (i === start) throw new Error(`expected a key at character ${start + 1}`);
    const key = text.slice(start, i);
    if (/["\]]/.test(key)) throw new Error(`the key "${key}" needs quoting: ["…"]`);
    return key;
  };
  steps.push({ kind: "key", key: readKey() });
  while (i < text.length) {
    if (text[i] === ".") {
      i++;
      steps.push({ kind: "key", key: readKey() });
      continue;
    }
    // text[i] === "["
    const close = findClosingBracket(text, i);
    const inner = text.slice(i + 1, close);
    i = close + 1;
    if (/^\d+$/.test(inner)) {
      steps.push({ kind: "index", index: Number(inner) });
    } else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) {
      steps.push({ kind: "key", key: JSON.parse(inner) as string });
    } else {
      const eq = inner.indexOf("=");
      if (eq <= 0) throw new Error(`[${inner}] is neither an index, a "quoted key" nor a filter like [definition.type=IRI]`);
      const negated = inner[eq - 1] === "!";
      const sub = inner.slice(0, negated ? eq - 1 : eq).split(".");
      if (sub.some((k) => k.length === 0)) throw new Error(`the filter [${inner}] has an empty key`);
      let value = inner.slice(eq + 1);
      if (/^"(?:[^"\\]|\\.)*"$/.test(value)) value = JSON.parse(value) as string;
      steps.push({ kind: "filter", path: sub, value, negated });
    }
    if (i < text.length && text[i] !== "." && text[i] !== "[") throw new Error(`unexpected "${text[i]}" at character ${i + 1}`);
  }
  return steps;
}

function findClosingBracket(text: string, open: number): number {
  let inQuotes = false;
  for (let j = open + 1; j < text.length; j++) {
    const c = text[j];
    if (inQuotes) {
      if (c === "\\") j++;
      else if (c === '"') inQuotes = false;
    } else if (c === '"') {
      inQuotes = true;
    } else if (c === "]") {
      return j;
    }
  }
  throw new Error(`the "[" at character ${open + 1} is not closed`);
}

/** The value at a compiled path, or undefined when any step finds nothing. */
export function readPath(value: unknown, steps: readonly PathStep[]): unknown {
  let current = value;
  for (const step of steps) {
    if (current === null || current === undefined) return undefined;
    if (step.kind === "key") {
      if (typeof current !== "object" || Array.isArray(current)) return undefined;
      current = Object.prototype.hasOwnProperty.call(current, step.key) ? (current as Record<string, unknown>)[step.key] : undefined;
    } else if (step.kind === "index") {
      if (Array.isArray(current)) current = current[step.index];
      else if (step.index !== 0 || typeof current !== "object") return undefined;
    } else {
      const candidates = Array.isArray(current) ? current : [current];
      current = candidates.find((c) => sameText(readKeys(c, step.path), step.value) !== step.negated);
    }
  }
  return current;
}

function readKeys(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

function sameText(found: unknown, wanted: string): boolean {
  return (typeof found === "string" || typeof found === "number" || typeof found === "boolean") && String(found) === wanted;
}
