import fc from "fast-check";
import { RUNTIME_OPTIONS, KNOWN_HELPERS, templateEngine } from "../../../src/templates/handlebars-instance";
import { renderTemplateSource, renderMessage } from "../../../src/templates/render";
import { TemplateRenderError } from "../../../src/templates/template-errors";
import { MAX_TEMPLATE_SOURCE_BYTES, validateTemplateSource } from "../../../src/templates/validate-template";
import { measureCpu } from "../../setup/cpu-time";

const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const functionPrototypeSnapshot = Object.getOwnPropertyNames(Function.prototype).sort();

afterAll(() => {
  // Whatever the corpus did, nothing may have been added to the shared prototypes.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeSnapshot);
  expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(functionPrototypeSnapshot);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const HOSTILE: Array<[string, string]> = [
  ["constructor chain", "{{constructor.constructor}}"],
  ["constructor via block param", '{{#with "a" as |s|}}{{s.constructor}}{{/with}}'],
  ["constructor via each item", "{{#each learner.attributes.list as |i|}}{{i.constructor.name}}{{/each}}"],
  ["lookup of __proto__", '{{lookup this "__proto__"}}'],
  ["lookup as subexpression", '{{#each (lookup this "constructor")}}x{{/each}}'],
  ["__proto__ path", "{{__proto__.polluted}}"],
  ["bracketed __proto__", "{{learner.[__proto__].polluted}}"],
  ["this.constructor", "{{this.constructor}}"],
  ["@root.constructor", "{{@root.constructor.prototype}}"],
  ["literal constructor", '{{"constructor"}}'],
  ["__defineGetter__", '{{__defineGetter__ "x" this}}'],
  ["decorator", "{{* foo}}"],
  ["inline partial decorator", '{{#* inline "p"}}x{{/inline}}'],
  ["partial", "{{> p}}"],
  ["partial block", "{{#> p}}x{{/p}}"],
  ["dynamic partial", "{{> (lookup . 'name')}}"],
  ["@partial-block", "{{@partial-block}}"],
  ["internal data frame", "{{@_parent.root}}"],
  ["unknown helper", "{{shell 'rm -rf /'}}"],
  ["unknown block helper", "{{#shell}}x{{/shell}}"],
  ["log helper", "{{log learner}}"],
  ["raw block", "{{{{raw}}}}{{x}}{{{{/raw}}}}"],
  ["each nested too deep", "{{#each a}}{{#each a}}{{#each a}}{{#each a}}x{{/each}}{{/each}}{{/each}}{{/each}}"],
  ["oversize source", "x".repeat(MAX_TEMPLATE_SOURCE_BYTES + 1)],
  ["3,000 nested subexpressions (15 KB)", `{{eq ${"(eq ".repeat(3000)}1${")".repeat(3000)} 1}}`],
  ["33 nested blocks", `${"{{#if a}}".repeat(33)}x${"{{/if}}".repeat(33)}`],
  ["a 1,400-link {{else if}} chain", `{{#if a}}${"{{else if a}}".repeat(1400)}{{/if}}`],
  ["a path of 40 segments", `{{${"a.".repeat(40)}a}}`],
];

describe("hostile templates", () => {
  it.each(HOSTILE)("when a template uses %s, then saving it is rejected with a location", (_label, source) => {
    const issues = validateTemplateSource(source);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.column).toBeGreaterThanOrEqual(1);
      expect(issue.message).not.toHaveLength(0);
    }
  });

  it.each(HOSTILE)("when a stored template uses %s, then rendering refuses it instead of running it", (_label, source) => {
    expect(() => renderTemplateSource(source, { learner: { name: "Ada" } })).toThrow(TemplateRenderError);
  });

  it("when validation is bypassed, then the hardened engine itself still exposes no prototype", () => {
    const compile = (source: string) => templateEngine.compile(source, { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true });
    const data = { learner: { name: "Ada" } };
    expect(compile("{{constructor.constructor}}|{{__proto__}}|{{learner.constructor.name}}")(data, RUNTIME_OPTIONS)).toBe("||");
    expect(compile('{{#with "a" as |s|}}{{s.constructor}}{{/with}}')(data, RUNTIME_OPTIONS)).toBe("");
    expect(() => compile('{{lookup this "__proto__"}}')(data, RUNTIME_OPTIONS)).toThrow(/unknown helper lookup/);
    expect(() => compile("{{log 1}}")(data, RUNTIME_OPTIONS)).toThrow(/unknown helper log/);
  });

  it("when the context carries a __proto__ key, then it neither pollutes nor reaches the template", () => {
    const context = JSON.parse('{"learner": {"name": "Ada", "__proto__": {"polluted": "yes"}}, "__proto__": {"polluted": "yes"}}');
    expect(renderTemplateSource("{{learner.name}}{{learner.polluted}}{{polluted}}", context)).toBe("Ada");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("when loops nest over large lists, then rendering stops at the loop budget instead of running for minutes", async () => {
    const items = Array.from({ length: 5000 }, (_, i) => i);
    const source = "{{#each learner.attributes.items}}{{#each ../learner.attributes.items}}{{#each ../../learner.attributes.items}}.{{/each}}{{/each}}{{/each}}";
    expect(validateTemplateSource(source)).toEqual([]);
    // CPU time of the event loop, not wall time: other processes on a busy machine stretch the one, not the other.
    const { spent } = await measureCpu(async () => expect(() => renderTemplateSource(source, { learner: { attributes: { items } } })).toThrow(/loops ran more than/));
    expect(spent.mainThreadMs).toBeLessThan(2000);
  });

  it("when output grows past the cap, then rendering fails rather than storing a huge message", () => {
    const big = "x".repeat(1000);
    const items = Array.from({ length: 200 }, (_, i) => i);
    expect(() => renderTemplateSource("{{#each items}}{{@root.big}}{{/each}}", { big, items })).toThrow(TemplateRenderError);
    expect(() => renderTemplateSource("{{a}}{{a}}", { a: "y".repeat(40 * 1024) })).toThrow(/larger than 64 KB/);
  });

  it("when the context holds functions and class instances, then the template only sees their plain data", () => {
    class Secretive {
      visible = "shown";
      get hidden(): string {
        return "getter ran";
      }
    }
    const context = { learner: { name: () => "function ran", attributes: { obj: new Secretive() } } };
    expect(renderTemplateSource("[{{learner.name}}][{{learner.attributes.obj.visible}}][{{learner.attributes.obj.hidden}}]", context)).toBe("[][shown][]");
  });

  it("when any mix of hostile fragments is saved or rendered, then nothing escapes the sandbox", () => {
    const fragment = fc.constantFrom(
      ...HOSTILE.filter(([, source]) => source.length < 1000).map(([, source]) => source),
      "{{learner.name}}", "{{#if learner}}", "{{/if}}", "{{#each learner.attributes.list}}", "{{/each}}", "{{", "}}", "{{{learner.name}}}", "plain text",
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 6 }), (parts) => {
        const source = parts.join("");
        validateTemplateSource(source);
        try {
          renderTemplateSource(source, { learner: { name: "<b>Ada</b>", attributes: { list: [1, 2] } } });
        } catch (error) {
          expect(error).toBeInstanceOf(TemplateRenderError);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("when a hostile variant is stored, then renderMessage refuses it with a render error", () => {
    const template = { templateKey: "evil", version: 1, locale: "en", variants: [{ key: "A", title: "Hi", body: "{{constructor.constructor}}", weight: 1 }] };
    expect(() => renderMessage(template, "A", {})).toThrow(TemplateRenderError);
  });
});
