/**
 * Preview warnings: variables a template reads that the given context does not have, such as a
 * typo'd `learner.nickname`. A missing variable renders as "" rather than failing, so without this
 * a typo ships silently. Walks the AST following `with`/`each` scopes and block params.
 * Linear in the template and the context: the pre-scan bounds nesting before the parser runs, each
 * variable is remembered in a set, and an object's first value is looked up once however many blocks ask.
 */
import { templateEngine } from "./handlebars-instance";
import { toRenderData } from "./render-context";
import { scanTemplate } from "./template-prescan";

/** Warnings past this many are dropped: the author fixes the first ones first. */
export const MAX_UNKNOWN_VARIABLES = 50;

/** A path the template reads that the context lacks; line and column are 1-based. */
export interface UnknownVariable {
  variable: string;
  line: number;
  column: number;
}

/** A value we cannot know from the context (inside `{{#each}}` over an empty list): its paths are not checked. */
const UNKNOWN: unique symbol = Symbol("unknown");
type Value = unknown;

interface Scope {
  context: Value;
  blockParams: Map<string, Value>;
}

/**
 * The variables in `source` that `context` does not provide, each reported once. A path through a
 * value that is present but null (`goal.text` when `goal` is null) counts as known: the context
 * says what it is. Sources that do not parse give no warnings; validation reports those. A caller that
 * has parsed the source already (inspectTemplateSource) may pass the AST instead; it is only read.
 */
export function findUnknownVariables(source: string | hbs.AST.Program, context: unknown): UnknownVariable[] {
  return inspectVariables(source, context).unknown;
}

/**
 * The unknown variables, and the variables `{{ }}` would print that hold an object or a list: Handlebars
 * renders those as "[object Object]" (or items joined by commas), never what the author meant.
 */
export function inspectVariables(source: string | hbs.AST.Program, context: unknown): { unknown: UnknownVariable[]; objects: UnknownVariable[] } {
  let ast: hbs.AST.Program;
  if (typeof source !== "string") {
    ast = source;
  } else {
    if (scanTemplate(source).problem) return { unknown: [], objects: [] }; // too deep or too long to parse; validation says so
    try {
      ast = templateEngine.parseWithoutProcessing(source);
    } catch {
      return { unknown: [], objects: [] };
    }
  }
  const finder = new UnknownVariableFinder(toRenderData(context));
  finder.program(ast);
  return { unknown: finder.found, objects: finder.objects };
}

class UnknownVariableFinder {
  readonly found: UnknownVariable[] = [];
  /** Paths printed as text whose value is an object or an array. */
  readonly objects: UnknownVariable[] = [];
  private readonly reported = new Set<string>();
  private readonly scopes: Scope[];

  constructor(root: Record<string, unknown>) {
    this.scopes = [{ context: root, blockParams: new Map() }];
  }

  program(program: hbs.AST.Program | undefined): void {
    for (const statement of program?.body ?? []) this.statement(statement);
  }

  private statement(node: hbs.AST.Node): void {
    if (node.type === "MustacheStatement") {
      const mustache = node as hbs.AST.MustacheStatement;
      const isCall = mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0;
      if (isCall) this.arguments(mustache);
      else if (mustache.path.type === "PathExpression") {
        const path = mustache.path as hbs.AST.PathExpression;
        const value = this.resolve(path);
        if (value !== UNKNOWN && typeof value === "object" && value !== null && this.objects.length < MAX_UNKNOWN_VARIABLES) {
          this.objects.push({ variable: path.original, line: path.loc?.start.line ?? 1, column: (path.loc?.start.column ?? 0) + 1 });
        }
      }
    } else if (node.type === "BlockStatement") {
      this.block(node as hbs.AST.BlockStatement);
    }
  }

  private block(node: hbs.AST.BlockStatement): void {
    const values = this.arguments(node);
    const name = node.path.original;
    if (name === "with" || name === "each") {
      const subject = values[0];
      const inner = name === "with" ? subject : firstItem(subject);
      const names = node.program?.blockParams ?? [];
      const params = new Map<string, Value>();
      if (names[0]) params.set(names[0], inner);
      if (names[1]) params.set(names[1], UNKNOWN); // the index or key
      this.scopes.push({ context: inner, blockParams: params });
      this.program(node.program);
      this.scopes.pop();
    } else {
      this.program(node.program);
    }
    this.program(node.inverse);
  }

  /** Checks a call's arguments and returns their values (for `with`/`each`). */
  private arguments(node: { params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }): Value[] {
    const values = node.params.map((param) => this.expression(param));
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value);
    return values;
  }

  private expression(node: hbs.AST.Expression): Value {
    if (node.type === "PathExpression") return this.resolve(node as hbs.AST.PathExpression);
    if (node.type === "SubExpression") this.arguments(node as hbs.AST.SubExpression);
    return UNKNOWN;
  }

  /** The value a path reads, reporting it when a key along the way is missing. */
  private resolve(path: hbs.AST.PathExpression): Value {
    if (path.data) {
      // Only @root leads back into the context; @index, @key, @first and @last are always there.
      return path.parts[0] === "root" ? this.walk(path, this.scopes[0].context, path.parts.slice(1)) : UNKNOWN;
    }
    const scoped = /^\.|^this\b/.test(path.original);
    if (!scoped && path.parts.length > 0) {
      for (let i = this.scopes.length - 1; i >= 0; i--) {
        const params = this.scopes[i].blockParams;
        if (params.has(path.parts[0])) return this.walk(path, params.get(path.parts[0]), path.parts.slice(1));
      }
    }
    const scope = this.scopes[this.scopes.length - 1 - path.depth];
    return this.walk(path, scope ? scope.context : UNKNOWN, path.parts);
  }

  private walk(path: hbs.AST.PathExpression, start: Value, parts: readonly string[]): Value {
    let current = start;
    for (const part of parts) {
      if (current === UNKNOWN || current === null || current === undefined) return current;
      if (!Object.prototype.hasOwnProperty.call(Object(current), part)) {
        this.report(path);
        return UNKNOWN;
      }
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  }

  private report(path: hbs.AST.PathExpression): void {
    const variable = path.original;
    if (this.reported.has(variable) || this.found.length >= MAX_UNKNOWN_VARIABLES) return;
    this.reported.add(variable);
    this.found.push({ variable, line: path.loc?.start.line ?? 1, column: (path.loc?.start.column ?? 0) + 1 });
  }
}

/** Objects' first values, computed once each: listing a large object's values for every block would be quadratic. */
const firstValues = new WeakMap<object, Value>();

/** What `{{#each}}` would bind first: an array's first item, an object's first value, else unknown. */
function firstItem(value: Value): Value {
  if (Array.isArray(value)) return value.length > 0 ? value[0] : UNKNOWN;
  if (typeof value === "object" && value !== null) {
    if (!firstValues.has(value)) {
      const keys = Object.keys(value);
      firstValues.set(value, keys.length > 0 ? (value as Record<string, unknown>)[keys[0]] : UNKNOWN);
    }
    return firstValues.get(value);
  }
  return UNKNOWN;
}
