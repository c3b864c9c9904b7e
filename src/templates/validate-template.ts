/**
 * Save-time checks for staff-authored Handlebars: size, nesting and token count (a linear pre-scan,
 * before the parser: template-prescan.ts), syntax, and a walk of the AST that rejects anything outside
 * the small language we render (our helpers, if/unless/each/with, plain paths).
 * Rendering is hardened too (render.ts); rejecting here gives authors a line and column instead.
 *
 * Raw output `{{{ }}}` (and `{{& }}`) is allowed only for insight values marked as HTML (raw-output.ts):
 * a template cannot mark learner or event data as HTML, whatever the contract's "unless the template
 * marks it otherwise" suggests, because that data is written by learners and course players.
 */
import { templateEngine, BLOCK_HELPERS, INLINE_HELPERS, ALLOWED_HELPERS } from "./handlebars-instance";
import { blockKeepsRoot, rawOutputProblem } from "./raw-output";
import { MAX_TEMPLATE_NESTING, scanTemplate } from "./template-prescan";
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

/** Path segments (and `../` steps) in one path: compiled paths nest one call per segment. */
export const MAX_PATH_SEGMENTS = MAX_TEMPLATE_NESTING;

/**
 * Tokens across every source of one definition (all variants, locales and fields): what one save may
 * make the parser do (about 5 µs a token). The largest built-in template uses 92.
 */
export const MAX_DEFINITION_TOKENS = 5_000;

/** Translations per variant. */
export const MAX_LOCALES_PER_VARIANT = 50;

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

/** A source after the checks: its AST when it parsed, what would stop it rendering, and raw-output problems. */
export interface InspectedTemplate {
  /** Unprocessed (no whitespace control yet), so it can be compiled as it is. Null when it did not parse. */
  ast: hbs.AST.Program | null;
  /** Problems that stop the source from being saved or rendered. */
  issues: TemplateIssue[];
  /** Raw output of data staff do not control: refused on save; on render such output is escaped instead. */
  rawOutput: TemplateIssue[];
  /** Tokens (template-prescan.ts): the unit of parse, compile and render work. */
  tokens: number;
}

/**
 * Runs every check on one source, cheapest first, so that hostile text is refused before the costly
 * steps: size, then the linear pre-scan (nesting, tokens), then the parser, then the AST walk.
 */
export function inspectTemplateSource(source: string): InspectedTemplate {
  const refused = (issue: TemplateIssue, tokens = 0): InspectedTemplate => ({ ast: null, issues: [issue], rawOutput: [], tokens });
  if (Buffer.byteLength(source, "utf8") > MAX_TEMPLATE_SOURCE_BYTES) {
    return refused({ message: `Template is larger than ${MAX_TEMPLATE_SOURCE_BYTES / 1024} KB`, line: 1, column: 1 });
  }
  const scan = scanTemplate(source);
  if (scan.problem) return refused(scan.problem, scan.tokens);
  let ast: hbs.AST.Program;
  try {
    ast = templateEngine.parseWithoutProcessing(source);
  } catch (error) {
    return refused(syntaxIssue(error), scan.tokens);
  }
  const walker = new TemplateWalker();
  walker.program(ast, 0, true);
  return { ast, issues: walker.issues.slice(0, MAX_ISSUES), rawOutput: walker.rawOutput.slice(0, MAX_ISSUES), tokens: scan.tokens };
}

/** Checks one template source; an empty list means it can be saved. */
export function validateTemplateSource(source: string): TemplateIssue[] {
  const { issues, rawOutput } = inspectTemplateSource(source);
  return [...issues, ...rawOutput].slice(0, MAX_ISSUES);
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
  const sources: Array<[PropertyKey[], string]> = [];
  def.variants.forEach((variant, index) => {
    sources.push(...contentSources(variant, ["variants", index]));
    for (const [locale, content] of Object.entries(variant.locales ?? {})) {
      sources.push(...contentSources(content, ["variants", index, "locales", locale]));
    }
  });
  // The whole definition's size first (one linear scan per source), so that no source is parsed when the sum is too much.
  let tokens = 0;
  for (const [, source] of sources) tokens += scanTemplate(source).tokens;
  if (tokens > MAX_DEFINITION_TOKENS) {
    return [{ path: "variants", message: `The template's sources hold ${tokens} expression tokens in all, more than ${MAX_DEFINITION_TOKENS}`, line: 1, column: 1 }];
  }
  return sources.flatMap(([path, source]) => validateTemplateSource(source).map((issue) => ({ path: formatPath(path), ...issue })));
}

function contentSources(content: LocalizedContent, at: PropertyKey[]): Array<[PropertyKey[], string]> {
  const sources: Array<[PropertyKey[], string]> = [
    [[...at, "title"], content.title],
    [[...at, "body"], content.body],
  ];
  if (content.cta) sources.push([[...at, "cta", "label"], content.cta.label], [[...at, "cta", "url"], content.cta.url]);
  return sources;
}

/**
 * Limits checked on the raw body before zod: the schema's locale record would otherwise check every one
 * of thousands of posted locale tags (with Intl) before any limit applied.
 */
function definitionShapeErrors(input: unknown): Array<{ path: string; message: string }> {
  const variants = (input as { variants?: unknown } | null)?.variants;
  if (!Array.isArray(variants)) return [];
  const errors: Array<{ path: string; message: string }> = [];
  variants.slice(0, 10).forEach((variant: unknown, index) => {
    const locales = (variant as { locales?: unknown } | null)?.locales;
    if (typeof locales !== "object" || locales === null) return;
    let count = 0;
    for (const key in locales) {
      if (Object.hasOwn(locales, key) && ++count > MAX_LOCALES_PER_VARIANT) {
        errors.push({ path: formatPath(["variants", index, "locales"]), message: `A variant may have at most ${MAX_LOCALES_PER_VARIANT} translations` });
        return;
      }
    }
  });
  return errors;
}

/**
 * Parses a posted definition: shape (zod) first, then every template source. Throws one
 * ValidationError listing all problems; source issues carry `line` and `column` next to `path`
 * and `message`, so the problem+json `errors` can show them as they are.
 */
export function parseTemplateDefinition(input: unknown): TemplateDefinition {
  const shapeErrors = definitionShapeErrors(input);
  if (shapeErrors.length > 0) throw new ValidationError("Invalid template", shapeErrors);
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
  readonly rawOutput: TemplateIssue[] = [];

  /** `atRoot`: plain paths still read the render root here (no `with`/`each` around). */
  program(program: hbs.AST.Program | undefined, eachDepth: number, atRoot: boolean): void {
    for (const statement of program?.body ?? []) this.statement(statement, eachDepth, atRoot);
  }

  private report(node: Node, message: string, list: TemplateIssue[] = this.issues): void {
    list.push({ message, line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 });
  }

  private statement(node: Node, eachDepth: number, atRoot: boolean): void {
    switch (node.type) {
      case "ContentStatement":
      case "CommentStatement":
        return;
      case "MustacheStatement": {
        const mustache = node as hbs.AST.MustacheStatement;
        const raw = rawOutputProblem(mustache, atRoot);
        if (raw) this.report(mustache, raw, this.rawOutput);
        return this.mustache(mustache);
      }
      case "BlockStatement":
        return this.block(node as hbs.AST.BlockStatement, eachDepth, atRoot);
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

  private block(node: hbs.AST.BlockStatement, eachDepth: number, atRoot: boolean): void {
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
    const inner = blockKeepsRoot(node, atRoot);
    this.program(node.program, depth, inner);
    this.program(node.inverse, depth, inner);
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
    if (node.parts.length + node.depth > MAX_PATH_SEGMENTS) {
      this.report(node, `A path may have at most ${MAX_PATH_SEGMENTS} segments`);
      return;
    }
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
