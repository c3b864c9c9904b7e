/**
 * The render context as a list of variable paths with their values, for the editor's variables panel:
 * what `{{learner.firstName}}` or `{{event.properties.score}}` would print for the learner being previewed.
 */

const MAX_DEPTH = 5;
const MAX_ENTRIES = 300;

export interface VariableEntry {
  path: string;
  value: string;
}

/** Leaf paths of the context (objects are walked, lists are summarized), in the context's own order. */
export function variablesOf(context: Record<string, unknown>): VariableEntry[] {
  const out: VariableEntry[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (out.length >= MAX_ENTRIES) return;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && depth < MAX_DEPTH) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) out.push({ path, value: "{} (empty)" });
      for (const [key, inner] of entries) walk(inner, path ? `${path}.${key}` : key, depth + 1);
      return;
    }
    out.push({ path, value: describe(value) });
  };
  walk(context, "", 0);
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null (prints nothing)";
  if (Array.isArray(value)) return `a list of ${value.length} (use {{#each}})`;
  if (typeof value === "object") return "an object";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
