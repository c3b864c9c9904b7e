/**
 * Save-time checks for staff-authored Handlebars: syntax, size, and a walk of the AST that rejects
 * anything outside the small language we render (our helpers, if/unless/each/with, plain paths).
 * Rendering is hardened too (render.ts); rejecting here gives authors a line and column instead.
 *
 * Raw output `{{{ }}}` (and `{{& }}`) is allowed: it is the template's explicit mark that a value is
 * HTML, as the contract puts it ("HTML-escaped unless the template marks it otherwise").
 */
import { templateEngine, BLOCK_HELPERS, INLINE_HELPERS, ALLOWED_HELPERS } from "./handlebars-instance";
import { DATE_FORMAT_NAMES } from "./template-helpers";
import { templateDefinitionSchema, type TemplateDefinition, type LocalizedContent } from "./template.schema";
import { ValidationError } from "../lib/errors";
import { formatPath, zodFieldErrors } from "../lib/zod-errors";

/** One problem in a template source; line and column are 1-based. */
export interface TemplateIssue {
  message: string;
  line: number;
  column: number;
}

/** Sources above this many bytes (UTF-8) are rejected before parsing. */
export const MAX_TEMPLATE_SOURCE_BYTES = 20 * 1024;

/** How deep `{{#each}}` blocks may nest: each level multiplies the work of the one inside. */
export const MAX_EACH_NESTING = 3;

/** More issues than this are cut off: past a few dozen, the author needs to fix the first ones anyway. */
const MAX_ISSUES = 50;

/** Names that lead from data to JavaScript internals; never valid as a path segment. */
const FORBIDDEN_SEGMENTS = new Set([
  "__proto__", "constructor", "prototype", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
  "__lookupSetter__", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toString", "toLocaleString", "valueOf",
]);

/** `@…` variables a template may read; others (`@partial-block`, `@_parent`, our own budget) are internals. */
const ALLOWED_DATA = new Set(["root", "index", "key", "first", "last"]);

/** Handlebars' own helpers that we removed; named so the message says "not available" rather than nothing. */
const REMOVED_HELPERS = new Set(["lookup", "log", "helperMissing", "blockHelperMissing"]);

/** A source issue located in a definition, e.g. `{path: "variants[1].body", line: 3, column: 7, …}`. */
export interface TemplateFieldIssue extends TemplateIssue {
  path: string;
}

type Node = hbs.AST.Node;

/** Checks one template source; an empty list means it can be saved. */
export function validateTemplateSource(source: string): TemplateIssue[] {
  if (Buffer.byteLength(source, "utf8") > MAX_TEMPLATE_SOURCE_BYTES) {
    return [{ message: `Template is larger than ${MAX_TEMPLATE_SOURCE_BYTES / 1024} KB`, line: 1, column: 1 }];
  }
  let ast: hbs.AST.Program;
  try {
    ast = templateEngine.parse(source);
  } catch (error) {
    return [syntaxIssue(error)];
  }
  const walker = new TemplateWalker();
  walker.program(ast, 0);
  return walker.issues.slice(0, MAX_ISSUES);
}

interface LexerPosition {
  first_line: number;
  first_column: number;
}

/**
 * Handlebars reports block mismatches with `lineNumber`/`column`, but jison parse errors only as text
 * ("Parse error on line 3: …"). The lexer still holds the offending token's position right after the
 * synchronous parse failed, which gives the column too; the message is the fallback.
 */
function syntaxIssue(error: unknown): TemplateIssue {
  const err = error as { message?: string; lineNumber?: number; column?: number };
  const text = String(err.message ?? error);
  if (typeof err.lineNumber === "number") {
    return { message: `Syntax error: ${text.replace(/ - \d+:\d+$/, "")}`, line: err.lineNumber, column: (err.column ?? 0) + 1 };
  }
  const parser = (templateEngine as unknown as { Parser?: { lexer?: { yylloc?: LexerPosition } } }).Parser;
  const position = parser?.lexer?.yylloc;
  const lineInMessage = /on line (\d+)/.exec(text);
  const line = lineInMessage ? Number(lineInMessage[1]) : (position?.first_line ?? 1);
  const column = position && position.first_line === line ? position.first_column + 1 : 1;
  // The jison message is "Parse error on line N:\n<excerpt>\n---^\nExpecting …": keep the last line.
  const detail = text.split("\n").pop() ?? text;
  return { message: `Syntax error: ${detail}`, line, column };
}

/**
 * Checks every Handlebars source in a (shape-valid) definition: each variant's title, body and CTA,
 * and the same in each locale override. Paths point into the posted body.
 */
export function validateTemplateDefinition(def: Pick<TemplateDefinition, "variants">): TemplateFieldIssue[] {
  const issues: TemplateFieldIssue[] = [];
  def.variants.forEach((variant, index) => {
    issues.push(...validateContent(variant, ["variants", index]));
    for (const [locale, content] of Object.entries(variant.locales ?? {})) {
      issues.push(...validateContent(content, ["variants", index, "locales", locale]));
    }
  });
  return issues;
}

function validateContent(content: LocalizedContent, at: PropertyKey[]): TemplateFieldIssue[] {
  const sources: Array<[PropertyKey[], string]> = [
    [[...at, "title"], content.title],
    [[...at, "body"], content.body],
  ];
  if (content.cta) sources.push([[...at, "cta", "label"], content.cta.label], [[...at, "cta", "url"], content.cta.url]);
  return sources.flatMap(([path, source]) => validateTemplateSource(source).map((issue) => ({ path: formatPath(path), ...issue })));
}

/**
 * Parses a posted definition: shape (zod) first, then every template source. Throws one
 * ValidationError listing all problems; source issues carry `line` and `column` next to `path`
 * and `message`, so the problem+json `errors` can show them as they are.
 */
export function parseTemplateDefinition(input: unknown): TemplateDefinition {
  const parsed = templateDefinitionSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError("Invalid template", zodFieldErrors(parsed.error));
  const issues = validateTemplateDefinition(parsed.data);
  if (issues.length > 0) {
    const errors = issues.map((issue) => ({ ...issue, message: `${issue.message} (line ${issue.line}, column ${issue.column})` }));
    throw new ValidationError("Invalid template", errors);
  }
  return parsed.data;
}

/** Walks the AST once, collecting every issue (authors fix them all in one go). */
class TemplateWalker {
  readonly issues: TemplateIssue[] = [];

  program(program: hbs.AST.Program | undefined, eachDepth: number): void {
    for (const statement of program?.body ?? []) this.statement(statement, eachDepth);
  }

  private report(node: Node, message: string): void {
    this.issues.push({ message, line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 });
  }

  private statement(node: Node, eachDepth: number): void {
    switch (node.type) {
      case "ContentStatement":
      case "CommentStatement":
        return;
      case "MustacheStatement":
        return this.mustache(node as hbs.AST.MustacheStatement);
      case "BlockStatement":
        return this.block(node as hbs.AST.BlockStatement, eachDepth);
      case "PartialStatement":
      case "PartialBlockStatement":
        return this.report(node, "Partials ({{> …}}) are not available in templates");
      case "Decorator":
      case "DecoratorBlock":
        return this.report(node, "Decorators ({{* …}}) are not available in templates");
      default:
        return this.report(node, `Unsupported template construct: ${node.type}`);
    }
  }

  private mustache(node: hbs.AST.MustacheStatement): void {
    const isCall = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    if (node.path.type !== "PathExpression") {
      // `{{"name"}}` is a property lookup by literal name, so the name gets the path checks.
      const name = String((node.path as hbs.AST.StringLiteral).value);
      if (isCall) this.helperName(node.path, name, INLINE_HELPERS);
      else this.segments(node.path, [name]);
      this.callArguments(node, null);
      return;
    }
    const path = node.path as hbs.AST.PathExpression;
    if (isCall) {
      this.helperName(path, helperNameOf(path), INLINE_HELPERS);
    } else if (BLOCK_HELPERS.includes(path.original) || REMOVED_HELPERS.has(path.original)) {
      this.report(path, `"${path.original}" cannot be used as a value`);
    } else {
      this.path(path);
    }
    this.callArguments(node, helperNameOf(path));
  }

  private block(node: hbs.AST.BlockStatement, eachDepth: number): void {
    const name = helperNameOf(node.path);
    if (!name || !BLOCK_HELPERS.includes(name)) {
      this.report(node.path, `Only ${BLOCK_HELPERS.join(", ")} may open a block, not "${node.path.original}"`);
    } else if (node.params.length !== 1) {
      this.report(node.path, `{{#${name}}} takes exactly one argument`);
    }
    const depth = name === "each" ? eachDepth + 1 : eachDepth;
    if (name === "each" && depth === MAX_EACH_NESTING + 1) {
      this.report(node.path, `{{#each}} blocks may nest at most ${MAX_EACH_NESTING} deep`);
    }
    this.callArguments(node, name);
    this.program(node.program, depth);
    this.program(node.inverse, depth);
  }

  private callArguments(node: { params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }, helper: string | null): void {
    node.params.forEach((param) => this.expression(param));
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value);
    const format = node.params[1];
    if (helper === "formatDate" && format?.type === "StringLiteral") {
      const value = (format as hbs.AST.StringLiteral).value;
      if (!DATE_FORMAT_NAMES.includes(value)) this.report(format, `Unknown date format "${value}" (use ${DATE_FORMAT_NAMES.join(", ")})`);
    }
  }

  private expression(node: hbs.AST.Expression): void {
    if (node.type === "PathExpression") return this.path(node as hbs.AST.PathExpression);
    if (node.type === "SubExpression") {
      const sub = node as hbs.AST.SubExpression;
      this.helperName(sub.path, helperNameOf(sub.path), INLINE_HELPERS);
      this.callArguments(sub, helperNameOf(sub.path));
    }
    // String, number, boolean, null and undefined literals are inert as arguments.
  }

  private helperName(node: Node, name: string | null, allowed: readonly string[]): void {
    if (name && allowed.includes(name)) return;
    const shown = name ?? (node as hbs.AST.PathExpression).original ?? "?";
    const hint = name && ALLOWED_HELPERS.has(name) ? " here" : ` (available: ${INLINE_HELPERS.join(", ")})`;
    this.report(node, `Unknown helper "${shown}"${hint}`);
  }

  private path(node: hbs.AST.PathExpression): void {
    if (node.data) {
      const [first = ""] = node.parts;
      if (!ALLOWED_DATA.has(first)) this.report(node, `Unknown data variable "@${first}"`);
    }
    this.segments(node, node.parts);
  }

  private segments(node: Node, parts: readonly string[]): void {
    const bad = parts.find((part) => FORBIDDEN_SEGMENTS.has(part) || part.startsWith("__"));
    if (bad !== undefined) this.report(node, `"${bad}" is not allowed in a template path`);
  }
}

/** The helper name of a path when it is a plain identifier (`foo`, not `foo.bar`, `../foo` or `@foo`). */
function helperNameOf(path: hbs.AST.PathExpression | hbs.AST.Literal): string | null {
  if (path.type !== "PathExpression") return null;
  const p = path as hbs.AST.PathExpression;
  return !p.data && p.depth === 0 && p.parts.length === 1 && p.original === p.parts[0] ? p.parts[0] : null;
}
