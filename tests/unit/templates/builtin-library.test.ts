import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBuiltinLibrary, parseBuiltinTemplateFile } from "../../../src/templates/builtin-library";
import { renderMessage } from "../../../src/templates/render";
import { buildSampleContext } from "../../../src/templates/render-context";
import { findUnknownVariables } from "../../../src/templates/unknown-variables";
import { validateTemplateDefinition } from "../../../src/templates/validate-template";

const library = loadBuiltinLibrary();
const EXPECTED = ["goal-prompt", "goal-reminder", "module-completed", "quiz-retry", "self-assessment", "we-miss-you", "welcome"];

const cases = library.templates.flatMap((template) =>
  template.variants.flatMap((variant) =>
    [undefined, ...Object.keys(variant.locales ?? {})].map((locale) => [template.key, variant.key, locale ?? "default"] as const),
  ),
);

describe("the built-in template library", () => {
  it("when the library loads, then it has every expected template and a rule for each", () => {
    expect(library.templates.map((template) => template.key)).toEqual(EXPECTED);
    expect(library.rules.map((rule) => rule.templateKey)).toEqual(EXPECTED);
    for (const template of library.templates) expect(validateTemplateDefinition(template)).toEqual([]);
  });

  it("when kinds and responses are read, then they match what each template is for", () => {
    const byKey = Object.fromEntries(library.templates.map((template) => [template.key, template]));
    expect(byKey["goal-prompt"]).toMatchObject({ kind: "goal_prompt", response: { type: "text", maxLength: 500 } });
    expect(byKey["goal-reminder"]).toMatchObject({ kind: "goal_reminder", response: null });
    expect(byKey["self-assessment"]).toMatchObject({ kind: "self_assessment", response: { type: "scale", min: 1, max: 5 } });
    expect(byKey["quiz-retry"].variants.map((variant) => variant.key)).toEqual(["A", "B"]);
    const rules = Object.fromEntries(library.rules.map((rule) => [rule.key, rule]));
    expect(rules["quiz-retry"]).toMatchObject({ trigger: { eventType: "quiz.submitted" }, priority: 20, cooldownHours: 24 });
    expect(rules["we-miss-you"].trigger).toEqual({ inactiveDays: 7 });
    expect(rules["welcome"].trigger).toEqual({ eventType: "course.enrolled" });
    expect(rules["self-assessment"].trigger).toEqual({ eventType: "module.completed" });
  });

  describe.each(cases)("template %s variant %s in locale %s", (templateKey, variantKey, locale) => {
    const template = library.templates.find((candidate) => candidate.key === templateKey)!;
    const version = { templateKey, version: 1, locale: template.locale, variants: template.variants };
    const sample = buildSampleContext();
    const learnerLocale = locale === "default" ? template.locale : locale;

    it("when rendered with the sample context, then it is complete and reads every variable from it", () => {
      const rendered = renderMessage(version, variantKey, { ...sample, learner: { ...sample.learner, locale: learnerLocale } });
      expect(rendered.locale).toBe(learnerLocale);
      expect(`${rendered.title} ${rendered.body}`).toContain("Ada");
      expect(`${rendered.title} ${rendered.body}`).not.toMatch(/undefined|null|NaN|\[object Object\]|\{\{/);
      expect(rendered.warnings).toEqual([]);
      const variant = template.variants.find((candidate) => candidate.key === variantKey)!;
      const content = locale === "default" ? variant : variant.locales![locale];
      for (const source of [content.title, content.body, content.cta?.label ?? "", content.cta?.url ?? ""]) {
        expect(findUnknownVariables(source, sample)).toEqual([]);
      }
    });

    it("when rendered with an empty context, then it still reads naturally without 'undefined'", () => {
      const context = locale === "default" ? {} : { learner: { locale } };
      const rendered = renderMessage(version, variantKey, context);
      expect(rendered.title.length).toBeGreaterThan(0);
      expect(rendered.body.length).toBeGreaterThan(0);
      expect(`${rendered.title} ${rendered.body} ${rendered.cta?.url ?? ""}`).not.toMatch(/undefined|null|NaN|\[object Object\]/);
      expect(rendered.warnings).toEqual([]);
    });
  });

  it("when module-completed has a recommendation, then it suggests it, and otherwise falls back", () => {
    const template = library.templates.find((candidate) => candidate.key === "module-completed")!;
    const version = { templateKey: template.key, version: 1, locale: "en", variants: template.variants };
    expect(renderMessage(version, "A", buildSampleContext()).body).toContain("Based on your recent activity, try Week 3: Decision trees next.");
    expect(renderMessage(version, "A", { ...buildSampleContext(), insights: {} }).body).toContain("Keep the momentum going");
  });

  it("when goal-reminder has no goal, then it falls back to asking for one", () => {
    const template = library.templates.find((candidate) => candidate.key === "goal-reminder")!;
    const version = { templateKey: template.key, version: 1, locale: "en", variants: template.variants };
    expect(renderMessage(version, "A", buildSampleContext()).body).toContain("“Finish week 2 by Friday”");
    expect(renderMessage(version, "A", { ...buildSampleContext(), goal: null }).body).toContain("a clear goal makes it easier");
  });

  const header = (extra = "") =>
    `---\n{"key": "broken", "name": "B", "kind": "nudge", "response": null, "variants": [{"key": "A", "title": "T"}], "rule": {"trigger": {"eventType": "x.y"}}${extra}}\n---\n`;

  it.each([
    ["no front-matter", "{{!-- variant: A --}}\nbody", /front-matter/],
    ["front-matter that is not JSON", "---\n{key: broken}\n---\n", /not JSON/],
    ["a missing body section", header(), /missing body section/],
    ["a section for no variant", `${header()}{{!-- variant: A --}}\nx\n{{!-- variant: C --}}\ny`, /without a variant: C/],
    ["a template error in a body", `${header()}{{!-- variant: A --}}\nline\n{{#if x}}`, /variants\[0\]\.body line 2/],
    ["a bad rule", `${header().replace('"eventType": "x.y"', '"every": 3')}{{!-- variant: A --}}\nx`, /rule:/],
  ])("when a library file has %s, then loading fails naming the file", (_label, text, message) => {
    expect(() => parseBuiltinTemplateFile(text, "broken.hbs")).toThrow(/^Built-in template broken\.hbs: /);
    expect(() => parseBuiltinTemplateFile(text, "broken.hbs")).toThrow(message);
  });

  it("when a file's key does not match its name, then loading the directory fails naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "templates-"));
    writeFileSync(join(dir, "other.hbs"), `---\n{"key": "broken", "name": "B", "kind": "nudge", "response": null, "variants": [{"key": "A", "title": "T"}], "rule": {"trigger": {"inactiveDays": 3}}}\n---\n{{!-- variant: A --}}\nx`);
    expect(() => loadBuiltinLibrary(dir)).toThrow(/other\.hbs: key "broken" does not match the file name/);
  });
});
