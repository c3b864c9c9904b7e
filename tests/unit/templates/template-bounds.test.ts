import fc from "fast-check";
import { templateEngine } from "../../../src/templates/handlebars-instance";
import { renderTemplateSource } from "../../../src/templates/render";
import { TemplateRenderError } from "../../../src/templates/template-errors";
import { MAX_TEMPLATE_NESTING, MAX_TEMPLATE_TOKENS, scanTemplate } from "../../../src/templates/template-prescan";
import { findUnknownVariables } from "../../../src/templates/unknown-variables";
import { MAX_DEFINITION_TOKENS, MAX_LOCALES_PER_VARIANT, parseTemplateDefinition, validateTemplateSource } from "../../../src/templates/validate-template";
import { ValidationError } from "../../../src/lib/errors";

/** `{{eq (eq (eq … 1)) 1}}`: 3,000 levels is the issue's 15 KB body that held the event loop for 42 s. */
function nestedSubexpressions(levels: number): string {
  return `{{eq ${"(eq ".repeat(levels)}1${")".repeat(levels)} 1}}`;
}

/** How deep the parsed template really nests: blocks, chained inverses and subexpressions. */
function astNesting(node: unknown): number {
  if (!node || typeof node !== "object") return 0;
  const n = node as Record<string, unknown>;
  const exprs = [...((n.params as unknown[]) ?? []), ...(((n.hash as { pairs?: Array<{ value: unknown }> })?.pairs ?? []).map((p) => p.value))];
  const inner = Math.max(0, ...exprs.map(astNesting));
  switch (n.type) {
    case "Program":
      return Math.max(0, ...(n.body as unknown[]).map(astNesting));
    case "BlockStatement":
      return 1 + Math.max(inner, astNesting(n.program), astNesting(n.inverse));
    case "SubExpression":
      return 1 + inner;
    case "MustacheStatement":
      return inner;
    default:
      return 0;
  }
}

describe("template limits checked before Handlebars parses", () => {
  let parse: jest.SpyInstance;
  beforeEach(() => {
    parse = jest.spyOn(templateEngine, "parseWithoutProcessing");
  });
  afterEach(() => parse.mockRestore());

  it("when a 15 KB template nests 3,000 subexpressions, then it is refused naming the limit, line and column, without being parsed", () => {
    const source = `Hello\n  ${nestedSubexpressions(3000)}`;
    expect(source.length).toBeGreaterThan(15_000);
    const issues = validateTemplateSource(source);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(new RegExp(`more than ${MAX_TEMPLATE_NESTING} levels`));
    // The 33rd "(" opens on line 2: "  {{eq " is 7 characters, each "(eq " is 4.
    expect(issues[0]).toMatchObject({ line: 2, column: 8 + 4 * MAX_TEMPLATE_NESTING });
    expect(parse).not.toHaveBeenCalled();
  });

  it.each([
    ["nested blocks", `${"{{#a}}".repeat(1500)}x${"{{/a}}".repeat(1500)}`],
    ["a chain of {{else if}}", `{{#if a}}${"{{else if a}}".repeat(1400)}{{/if}}`],
    ["inverse blocks", `${"{{^a}}".repeat(100)}${"{{/a}}".repeat(100)}`],
    ["blocks and subexpressions together", `${"{{#if (eq (eq (eq 1 1) 1) 1)}}".repeat(30)}${"{{/if}}".repeat(30)}`],
    ["whitespace control", `${"{{~#if a~}}".repeat(40)}${"{{~/if~}}".repeat(40)}`],
    ["hash arguments", `{{eq a=${"(eq b=".repeat(40)}1${")".repeat(40)}}}`],
  ])("when a template nests too deep through %s, then it is refused before parsing", (_label, source) => {
    const [issue] = validateTemplateSource(source);
    expect(issue?.message).toMatch(/levels deep/);
    expect(parse).not.toHaveBeenCalled();
  });

  it("when a template is exactly at the nesting limit, then it is accepted and renders", () => {
    const source = nestedSubexpressions(MAX_TEMPLATE_NESTING);
    expect(scanTemplate(source).maxNesting).toBe(MAX_TEMPLATE_NESTING);
    expect(validateTemplateSource(source)).toEqual([]);
    expect(renderTemplateSource(source, {})).toBe("false");
    const blocks = `${"{{#if a}}".repeat(MAX_TEMPLATE_NESTING)}x${"{{/if}}".repeat(MAX_TEMPLATE_NESTING)}`;
    expect(validateTemplateSource(blocks)).toEqual([]);
    expect(renderTemplateSource(blocks, { a: true })).toBe("x");
  });

  it.each([
    ["many mustaches", "{{a}}".repeat(1000)],
    ["many arguments", `{{eq ${"a ".repeat(MAX_TEMPLATE_TOKENS)}}}`],
    ["a path of thousands of segments", `{{${"a.".repeat(MAX_TEMPLATE_TOKENS)}a}}`],
    ["thousands of escaped mustaches", "\\{{a}}".repeat(MAX_TEMPLATE_TOKENS + 1)],
    ["thousands of comments", "{{! c }}".repeat(MAX_TEMPLATE_TOKENS + 1)],
  ])("when a template holds %s, then it is refused by the token limit before parsing", (_label, source) => {
    const [issue] = validateTemplateSource(source);
    expect(issue?.message).toMatch(new RegExp(`more than ${MAX_TEMPLATE_TOKENS} expression tokens`));
    expect(parse).not.toHaveBeenCalled();
  });

  it("when a path has more segments than the limit, then it is refused rather than compiled into deeply nested lookups", () => {
    expect(validateTemplateSource(`{{${"a.".repeat(40)}a}}`)[0].message).toMatch(/at most 32 segments/);
  });

  it("when a stored source is too deep, then rendering and the unknown-variable check refuse it without parsing", () => {
    const source = nestedSubexpressions(3000);
    expect(() => renderTemplateSource(source, {})).toThrow(TemplateRenderError);
    expect(findUnknownVariables(source, {})).toEqual([]);
    expect(parse).not.toHaveBeenCalled();
  });

  it.each([
    ["an escaped mustache", `\\{{eq ${"(".repeat(40)} }}`],
    ["a long comment", `{{!-- ${"(".repeat(40)} }} --}}`],
    ["a short comment", `{{! ${"(".repeat(40)} }}`],
    ["a string argument", `{{eq "${"(".repeat(40)}}}" 1}}`],
    ["a string with an escaped quote", `{{eq "\\"${"(".repeat(40)}" 1}}`],
    ["a bracketed segment", `{{[${"(".repeat(40)}]}}`],
    ["plain text", `(${"(".repeat(40)} {{a}}`],
  ])("when parentheses sit in %s, then they do not count as nesting", (_label, source) => {
    expect(scanTemplate(source).problem).toBeNull();
  });

  it("when a string or bracket hides closing braces, then the scan keeps counting the mustache they sit in", () => {
    expect(scanTemplate(`{{eq "}}" ${"(eq ".repeat(40)}1${")".repeat(40)}}}`).problem?.message).toMatch(/levels deep/);
    expect(scanTemplate(`{{eq [}}] ${"(eq ".repeat(40)}1${")".repeat(40)}}}`).problem?.message).toMatch(/levels deep/);
    // No closing quote: the lexer's regex backtracks to the last escaped quote, and so does the scan.
    expect(scanTemplate(`{{eq "a\\" ${"(eq ".repeat(40)}1${")".repeat(40)}}}`).problem?.message).toMatch(/levels deep/);
    expect(scanTemplate(`\\\\{{eq ${"(eq ".repeat(40)}1${")".repeat(40)}}}`).problem?.message).toMatch(/levels deep/);
  });

  const fragments = fc.constantFrom(
    "{{#if a}}", "{{/if}}", "{{else}}", "{{else if b}}", "{{^}}", "{{^a}}", "{{/a}}", "{{#each l as |x|}}", "{{/each}}", "{{#with a}}", "{{/with}}",
    "{{eq ", "(eq ", "(not ", ")", "}}", " 1", " a", ' "}})"', " '('", " [a)b]", " x=", "\\{{", "\\\\{{", "{{!-- ( --}}", "{{! ( }}", "{{~", "~}}",
    "{{{", "}}}", "{{&", " ", "\n", "x", "(", "{{", "{{a}}", "{{eq (eq 1 1) 1}}", "{{else", "{{#if (eq (eq a 1) 1)}}",
  );

  it("whatever the text, then the scan never counts less nesting than the parser builds", () => {
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 40 }), (parts) => {
        const source = parts.join("");
        let ast: hbs.AST.Program;
        try {
          ast = templateEngine.parseWithoutProcessing(source);
        } catch {
          return; // the parser refuses it anyway
        }
        expect(scanTemplate(source).maxNesting).toBeGreaterThanOrEqual(astNesting(ast));
      }),
      { numRuns: 3000 },
    );
  });

  it("for well-formed templates, then the scan counts exactly the nesting the parser builds", () => {
    const samples = [
      "{{#if a}}{{#each l as |x|}}{{eq (not x) (eq x 1)}}{{/each}}{{else if b}}{{#with c}}y{{/with}}{{else}}z{{/if}}",
      "{{#unless a}}{{^b}}{{default (eq (eq (eq 1 1) 1) 1) 'x'}}{{/b}}{{/unless}}",
      "{{!-- (((( --}}{{#if a}}{{else}}{{#if b}}{{/if}}{{/if}}",
    ];
    for (const source of samples) expect(scanTemplate(source).maxNesting).toBe(astNesting(templateEngine.parseWithoutProcessing(source)));
  });
});

describe("template definition limits", () => {
  const definition = (variants: unknown[]) => ({ key: "k", name: "n", kind: "nudge", variants });

  it("when a variant carries thousands of translations, then the definition is refused before the schema checks each tag", () => {
    const locales = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`en-X${i}`, { title: "t", body: "b" }]));
    const attempt = () => parseTemplateDefinition(definition([{ key: "A", title: "t", body: "b", locales }]));
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ path: "variants[0].locales", message: `A variant may have at most ${MAX_LOCALES_PER_VARIANT} translations` }]);
    }
  });

  it("when the sources of a definition hold too many tokens in all, then it is refused naming the total before any is parsed", () => {
    const body = "{{a}}".repeat(300); // 900 tokens: each source is within its own limit
    const locales = Object.fromEntries(["de", "fr", "es", "it", "nl", "pt", "sv", "da"].map((tag) => [tag, { title: "t", body }]));
    const parse = jest.spyOn(templateEngine, "parseWithoutProcessing");
    try {
      expect(() => parseTemplateDefinition(definition([{ key: "A", title: "t", body, locales }]))).toThrow(new RegExp(`Invalid template`));
      expect(parse).not.toHaveBeenCalled();
      let caught: ValidationError | null = null;
      try {
        parseTemplateDefinition(definition([{ key: "A", title: "t", body, locales }]));
      } catch (error) {
        caught = error as ValidationError;
      }
      expect(caught?.errors[0].path).toBe("variants");
      expect(caught?.errors[0].message).toMatch(new RegExp(`more than ${MAX_DEFINITION_TOKENS}`));
    } finally {
      parse.mockRestore();
    }
  });
});
