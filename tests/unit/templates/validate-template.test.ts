import { ValidationError } from "../../../src/lib/errors";
import { MAX_EACH_NESTING, parseTemplateDefinition, validateTemplateDefinition, validateTemplateSource } from "../../../src/templates/validate-template";
import type { TemplateDefinitionInput } from "../../../src/templates/template.schema";

describe("validating template sources", () => {
  it("when a mustache is not closed, then the issue points at the line and column of the bad token", () => {
    const [issue] = validateTemplateSource("Hello\nHi {{learner.name}\nBye");
    expect(issue.message).toMatch(/^Syntax error/);
    expect(issue.line).toBe(2);
    expect(issue.column).toBe(18);
  });

  it("when a block is closed with the wrong name, then the issue points at the opening block", () => {
    const [issue] = validateTemplateSource("line one\n  {{#if goal}}x{{/each}}");
    expect(issue).toEqual({ message: "Syntax error: if doesn't match each", line: 2, column: 6 });
  });

  it("when a block is never closed, then the issue is reported on the line where the input ends", () => {
    const [issue] = validateTemplateSource("a\nb {{#if goal}}y");
    expect(issue.line).toBe(2);
    expect(issue.message).toMatch(/EOF/);
  });

  it("when a template uses an unknown helper, then the issue names it and where it is", () => {
    expect(validateTemplateSource("ok\n  {{shout learner.name}}")).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Unknown helper "shout"'), line: 2, column: 5 }),
    ]);
  });

  it("when a template only uses our helpers and blocks, then it has no issues", () => {
    const source = [
      '{{default learner.firstName "there"}} {{formatDate goal.createdAt "long"}} {{pluralize 3 "lesson"}} {{percent 0.8}}',
      "{{#if (and (gte event.properties.score 0.5) (not event.properties.passed))}}close{{else if (eq learner.locale 'pt')}}pt{{/if}}",
      "{{#unless goal}}no goal{{/unless}} {{#with course}}{{id}}{{/with}} {{#each learner.attributes as |value key|}}{{key}}={{value}}{{@index}}{{/each}}",
      "{{{insights.html.value}}} {{@root.learner.name}} {{!-- a comment --}}",
    ].join("\n");
    expect(validateTemplateSource(source)).toEqual([]);
  });

  it(`when each blocks nest ${MAX_EACH_NESTING} deep, then that is allowed, and one more is not`, () => {
    const nest = (depth: number): string => (depth === 0 ? "x" : `{{#each a}}${nest(depth - 1)}{{/each}}`);
    expect(validateTemplateSource(nest(MAX_EACH_NESTING))).toEqual([]);
    expect(validateTemplateSource(nest(MAX_EACH_NESTING + 1))[0].message).toMatch(/nest at most/);
  });

  it("when a block helper gets the wrong number of arguments, then saving says so instead of failing at send time", () => {
    expect(validateTemplateSource("{{#if}}x{{/if}}")[0].message).toMatch(/exactly one argument/);
    expect(validateTemplateSource("{{#each a b}}x{{/each}}")[0].message).toMatch(/exactly one argument/);
  });

  it("when formatDate is given an unknown format, then the issue lists the formats", () => {
    expect(validateTemplateSource('{{formatDate goal.createdAt "yyyy-MM"}}')[0].message).toMatch(/short, long, date, time/);
  });

  it("when a source is larger than 20 KB, then it is rejected at line 1 column 1 without parsing", () => {
    expect(validateTemplateSource("{{".repeat(11 * 1024))).toEqual([{ message: "Template is larger than 20 KB", line: 1, column: 1 }]);
  });
});

const definition = (overrides: Partial<TemplateDefinitionInput> = {}): TemplateDefinitionInput => ({
  key: "quiz-retry",
  name: "Encourage a retry",
  kind: "nudge",
  response: null,
  variants: [
    { key: "A", title: "Try again", body: "Hi {{learner.firstName}}" },
    { key: "B", title: "Growth", body: "ok\n{{#if x}}", cta: { label: "Go", url: "/c/{{course.id}}" }, locales: { pt: { title: "{{oops a}}", body: "Oi" } } },
  ],
  ...overrides,
});

describe("validating template definitions", () => {
  it("when variants have template errors, then each issue has the variant path and its line and column", () => {
    const parsed = parseTemplateDefinition.bind(null, definition());
    expect(parsed).toThrow(ValidationError);
    try {
      parsed();
    } catch (error) {
      const errors = (error as ValidationError).errors;
      expect(errors.map((e) => e.path)).toEqual(["variants[1].body", "variants[1].locales.pt.title"]);
      expect(errors[0]).toMatchObject({ line: 2, message: expect.stringMatching(/\(line 2, column \d+\)$/) });
      expect(errors[1]).toMatchObject({ line: 1, column: 3 });
    }
  });

  it("when the definition is valid, then it parses with defaults applied", () => {
    const variants = [{ key: "A", title: "T", body: "Hi {{default learner.firstName 'there'}}", cta: { label: "Go", url: "/x" } }];
    const parsed = parseTemplateDefinition(definition({ variants }));
    expect(parsed.locale).toBe("en");
    expect(parsed.variants[0].weight).toBe(1);
    expect(validateTemplateDefinition(parsed)).toEqual([]);
  });

  it("when the shape is wrong, then the zod issues come back with body paths and nothing else is checked", () => {
    try {
      parseTemplateDefinition({ ...definition(), kind: "banner", extra: 1 });
      throw new Error("expected a ValidationError");
    } catch (error) {
      expect((error as ValidationError).errors.map((e) => e.path).sort()).toEqual(["extra", "kind"]);
    }
  });
});
