import { templateDefinitionSchema, type TemplateDefinitionInput } from "../../../src/templates/template.schema";

const base: TemplateDefinitionInput = {
  key: "goal-prompt",
  name: "Ask for a goal",
  kind: "goal_prompt",
  response: { type: "text" },
  variants: [{ key: "A", title: "Your goal?", body: "What do you want to achieve?" }],
};

function issuesOf(input: unknown): string[] {
  const result = templateDefinitionSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("template definition schema", () => {
  it("when a goal prompt has a text response, then defaults fill locale, weight and maxLength", () => {
    const parsed = templateDefinitionSchema.parse(base);
    expect(parsed).toMatchObject({ locale: "en", response: { type: "text", maxLength: 500 }, variants: [{ weight: 1 }] });
  });

  it.each([
    ["goal_prompt", null],
    ["goal_prompt", { type: "scale", min: 1, max: 5 }],
    ["self_assessment", { type: "text" }],
    ["self_assessment", null],
    ["nudge", { type: "text" }],
    ["goal_reminder", { type: "scale", min: 1, max: 5 }],
  ])("when a %s template has response %j, then it is rejected on the response", (kind, response) => {
    expect(issuesOf({ ...base, kind, response })).toEqual([expect.stringMatching(/^response: A .* template needs/)]);
  });

  it("when a nudge leaves out response, then it defaults to null", () => {
    const { response: _omitted, ...withoutResponse } = base;
    expect(templateDefinitionSchema.parse({ ...withoutResponse, kind: "nudge" }).response).toBeNull();
  });

  it("when a self-assessment has a 1–5 scale with labels, then it is accepted", () => {
    expect(issuesOf({ ...base, kind: "self_assessment", response: { type: "scale", min: 1, max: 5, labels: { "1": "Low", "5": "High" } } })).toEqual([]);
  });

  it.each([
    [{ type: "scale", min: 5, max: 5 }, /greater than min/],
    [{ type: "scale", min: 0, max: 11 }, /at most 11 points/],
    [{ type: "scale", min: 1.5, max: 5 }, /response.min: .*expected int/],
    [{ type: "scale", min: 1, max: 5, labels: { "6": "Too far" } }, /Label keys/],
  ])("when a scale is %j, then it is rejected", (response, message) => {
    expect(issuesOf({ ...base, kind: "self_assessment", response }).join("\n")).toMatch(message);
  });

  it("when a 0–10 scale is given, then eleven points are accepted", () => {
    expect(issuesOf({ ...base, kind: "self_assessment", response: { type: "scale", min: 0, max: 10 } })).toEqual([]);
  });

  it("when variant keys repeat, then the duplicate is reported at its index", () => {
    const variants = [base.variants[0], { ...base.variants[0] }];
    expect(issuesOf({ ...base, variants })).toEqual(['variants.1.key: Duplicate variant key "A"']);
  });

  it.each([
    ["no variants", { variants: [] }],
    ["eleven variants", { variants: Array.from({ length: 11 }, (_, i) => ({ key: `v${i}`, title: "t", body: "b" })) }],
    ["a bad key", { key: "Quiz Retry" }],
    ["an unknown field", { colour: "red" }],
    ["a bad locale", { locale: "english!" }],
    ["a negative weight", { variants: [{ key: "A", title: "t", body: "b", weight: -1 }] }],
    ["only zero weights", { variants: [{ key: "A", title: "t", body: "b", weight: 0 }] }],
    ["a variant key over 16 chars", { variants: [{ key: "x".repeat(17), title: "t", body: "b" }] }],
    ["a locale override with a bad tag", { variants: [{ key: "A", title: "t", body: "b", locales: { "not a tag": { title: "t", body: "b" } } }] }],
    ["a cta without url", { variants: [{ key: "A", title: "t", body: "b", cta: { label: "Go" } }] }],
  ])("when a definition has %s, then it is rejected", (_label, overrides) => {
    expect(issuesOf({ ...base, ...overrides }).length).toBeGreaterThan(0);
  });
});
