/**
 * Which values a template may output without HTML escaping (`{{{…}}}` or `{{& …}}`): only what staff
 * control. The template text is staff's own HTML already; the one value that may be raw is an insight
 * value the author marked as HTML (`metadata: {html: true}` on PUT /v1/insights), read from the render
 * root as `insights.<key>.value` (or `@root.insights.<key>.value` inside `{{#with}}`/`{{#each}}`).
 * Names, attributes, event properties, goals and unmarked insights come from learners and course
 * players and are always escaped: raw output of them is refused on save, and escaped anyway at render
 * time (versions stored before this rule, or written to the database by hand).
 */
import Handlebars from "handlebars";

/**
 * The helper the renderer puts in place of an allowed raw insight. A dot cannot be typed into a helper
 * name (it would make a path), so templates cannot call it; it is no more powerful if they could.
 */
export const RAW_INSIGHT_HELPER = "coach.rawInsight";

/** Insight keys, as PUT /v1/insights accepts them. */
const INSIGHT_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Blocks that change what plain paths read (`this`); inside them only `@root.insights…` reaches the root. */
const CONTEXT_BLOCKS = new Set(["with", "each"]);

/**
 * The insight key when a mustache outputs exactly `insights.<key>.value` of the render root, else null.
 * `atRoot` says whether plain paths still read the root here (no `with`/`each`/block params around).
 */
export function rawInsightKey(node: hbs.AST.MustacheStatement, atRoot: boolean): string | null {
  if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0 || node.path.type !== "PathExpression") return null;
  const path = node.path as hbs.AST.PathExpression;
  if (path.depth !== 0) return null;
  let parts = path.parts;
  if (path.data) {
    if (parts[0] !== "root") return null;
    parts = parts.slice(1);
  } else if (!atRoot) {
    return null;
  }
  if (parts.length !== 3 || parts[0] !== "insights" || parts[2] !== "value" || !INSIGHT_KEY.test(parts[1])) return null;
  return parts[1];
}

/** Whether plain paths inside a block still read the root. */
export function blockKeepsRoot(node: hbs.AST.BlockStatement, atRoot: boolean): boolean {
  const name = node.path.type === "PathExpression" ? (node.path as hbs.AST.PathExpression).original : "";
  return atRoot && !CONTEXT_BLOCKS.has(name) && !(node.program?.blockParams?.length ?? 0);
}

/**
 * Why a mustache may not output raw, naming the field; null when it escapes or may be raw. Used on save,
 * where the answer is a 400 with line and column.
 */
export function rawOutputProblem(node: hbs.AST.MustacheStatement, atRoot: boolean): string | null {
  if (node.escaped !== false || rawInsightKey(node, atRoot) !== null) return null;
  const isCall = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
  const name = node.path.type === "PathExpression" ? (node.path as hbs.AST.PathExpression).original : String((node.path as hbs.AST.StringLiteral).value);
  const only = "only an insight value marked as HTML (insights.<key>.value with metadata.html: true) may be output raw";
  if (isCall) return `Raw output ({{{ }}} or {{& }}) of the helper "${name}" is not allowed: helper results are always HTML-escaped; ${only}`;
  const hint = /(^|\.)insights\.[^.]+\.value$/.test(name) && !atRoot ? ` (inside {{#with}}/{{#each}} write @root.${name.replace(/^(this\.|\.\/)/, "")})` : "";
  return `Raw output ({{{ }}} or {{& }}) of ${name} is not allowed: learner, event and course data is always HTML-escaped, write {{${name}}}; ${only}${hint}`;
}

/**
 * Rewrites a freshly parsed template so that no raw mustache outputs data staff do not control: an
 * allowed `{{{insights.<key>.value}}}` becomes a call to the helper that checks the HTML mark, every
 * other raw mustache becomes an escaped one. Mutates `program`; its depth is bounded by the pre-scan.
 */
export function enforceRawOutputPolicy(program: hbs.AST.Program | undefined, atRoot = true): void {
  for (const node of program?.body ?? []) {
    if (node.type === "MustacheStatement") {
      const mustache = node as hbs.AST.MustacheStatement;
      if (mustache.escaped !== false) continue;
      const key = rawInsightKey(mustache, atRoot);
      if (key !== null) {
        const loc = mustache.path.loc;
        mustache.path = { type: "PathExpression", data: false, depth: 0, parts: [RAW_INSIGHT_HELPER], original: RAW_INSIGHT_HELPER, loc } as hbs.AST.PathExpression;
        mustache.params = [{ type: "StringLiteral", value: key, original: key, loc } as hbs.AST.StringLiteral];
      }
      mustache.escaped = true;
    } else if (node.type === "BlockStatement") {
      const block = node as hbs.AST.BlockStatement;
      const inner = blockKeepsRoot(block, atRoot);
      enforceRawOutputPolicy(block.program, inner);
      enforceRawOutputPolicy(block.inverse, inner);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The helper behind an allowed raw insight: the value as HTML when the author marked that insight
 * `metadata.html: true` and it is a string; otherwise the plain value, which Handlebars escapes.
 */
export function rawInsight(key: unknown, options: { data?: { root?: unknown } }): unknown {
  const root = options?.data?.root;
  const insights = isRecord(root) && isRecord(root.insights) ? root.insights : null;
  const insight = insights && typeof key === "string" && Object.hasOwn(insights, key) ? insights[key] : undefined;
  if (!isRecord(insight)) return undefined;
  const value = Object.hasOwn(insight, "value") ? insight.value : undefined;
  const marked = isRecord(insight.metadata) && Object.hasOwn(insight.metadata, "html") && insight.metadata.html === true;
  return marked && typeof value === "string" ? new Handlebars.SafeString(value) : value;
}
