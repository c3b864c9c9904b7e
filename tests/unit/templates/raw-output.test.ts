import { loadBuiltinLibrary } from "../../../src/templates/builtin-library";
import { renderMessage, renderTemplateSource } from "../../../src/templates/render";
import { validateTemplateSource } from "../../../src/templates/validate-template";

const SCRIPT = '<script>alert("x")</script>';
const ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;";

/** A render context where every field a learner or course player controls holds a script. */
const hostileContext = {
  learner: { id: "L1", name: SCRIPT, firstName: SCRIPT, attributes: { bio: SCRIPT, insights: { tip: { value: SCRIPT, metadata: { html: true } } } } },
  course: { id: SCRIPT },
  module: { id: SCRIPT },
  event: { type: "quiz.submitted", properties: { x: SCRIPT, list: [SCRIPT] } },
  goal: { text: SCRIPT, createdAt: "2026-11-20T10:00:00Z" },
  assessments: { w1: SCRIPT },
  insights: {
    html: { value: "<b>staff copy</b>", score: null, metadata: { html: true } },
    plain: { value: SCRIPT, score: null, metadata: {} },
    stringly: { value: SCRIPT, score: null, metadata: { html: "true" } },
    numeric: { value: 3, score: null, metadata: { html: true } },
  },
};

describe("raw output ({{{ }}} and {{& }}) only for fields staff control", () => {
  it.each([
    ["{{{learner.name}}}", "learner.name"],
    ["Hi {{& learner.firstName}}", "learner.firstName"],
    ["{{{event.properties.x}}}", "event.properties.x"],
    ["{{& event.properties.x}}", "event.properties.x"],
    ["{{{learner.attributes.bio}}}", "learner.attributes.bio"],
    ["{{{goal.text}}}", "goal.text"],
    ["{{{assessments.w1}}}", "assessments.w1"],
    ["{{{course.id}}}", "course.id"],
    ["{{{module.id}}}", "module.id"],
    ["{{{insights.tip}}}", "insights.tip"],
    ["{{{insights.tip.metadata}}}", "insights.tip.metadata"],
    ["{{{default insights.tip.value 'x'}}}", 'helper "default"'],
    ["{{#with learner.attributes}}{{{insights.tip.value}}}{{/with}}", "insights.tip.value"],
    ["{{#each event.properties.list as |insights|}}{{{insights.tip.value}}}{{/each}}", "insights.tip.value"],
    ["{{#each event.properties.list}}{{{this}}}{{/each}}", "this"],
    ["{{{../insights.tip.value}}}", "../insights.tip.value"],
  ])("when a template outputs %s raw, then saving it is refused naming %s with a location", (source, field) => {
    const issues = validateTemplateSource(source);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toContain(field);
    expect(issues[0].message).toMatch(/Raw output/);
    expect(issues[0].line).toBe(1);
    expect(issues[0].column).toBe(source.indexOf("{{{") >= 0 ? source.indexOf("{{{") + 1 : source.indexOf("{{&") + 1);
  });

  it("when the raw output sits on a later line, then the error names that line and column", () => {
    expect(validateTemplateSource("Hello\n\n  there {{{learner.name}}}")[0]).toMatchObject({ line: 3, column: 9 });
  });

  it("when raw output is inside {{#with}} or {{#each}}, then the message points to @root", () => {
    expect(validateTemplateSource("{{#with learner}}{{{insights.tip.value}}}{{/with}}")[0].message).toContain("@root.insights.tip.value");
  });

  it.each([
    "{{{insights.tip.value}}}",
    "{{& insights.tip.value}}",
    "{{#if learner}}{{{insights.tip.value}}}{{else}}{{{insights.other.value}}}{{/if}}",
    "{{#each event.properties.list}}{{{@root.insights.tip.value}}}{{/each}}",
    "{{#with learner}}{{& @root.insights.tip.value}}{{/with}}",
    "<p>Staff's own <b>HTML</b> is text of the template: {{learner.name}}</p>",
  ])("when a template outputs only an insight value (or staff HTML) raw, then %s is accepted", (source) => {
    expect(validateTemplateSource(source)).toEqual([]);
  });

  it("when the built-in templates are loaded, then they all still validate", () => {
    const library = loadBuiltinLibrary();
    expect(library.templates.length).toBeGreaterThan(0);
  });
});

describe("raw output at render time (stored versions saved before the rule)", () => {
  it.each([
    "{{{learner.name}}}",
    "{{& learner.name}}",
    "{{{event.properties.x}}}",
    "{{{goal.text}}}",
    "{{{course.id}}}",
    "{{{assessments.w1}}}",
    "{{#with learner.attributes}}{{{insights.tip.value}}}{{/with}}",
    "{{#each event.properties.list as |insights|}}{{{insights}}}{{/each}}",
    "{{#each event.properties.list}}{{{this}}}{{/each}}",
    "{{{insights.plain.value}}}",
    "{{{@root.insights.plain.value}}}",
    "{{{insights.stringly.value}}}",
  ])("when a stored template renders %s, then the script arrives escaped", (source) => {
    const out = renderTemplateSource(source, hostileContext);
    expect(out).toBe(ESCAPED);
    expect(out).not.toMatch(/[<>]/);
  });

  it("when a stored variant outputs learner data raw in its title and body, then renderMessage escapes both", () => {
    const template = { templateKey: "old", version: 1, locale: "en", variants: [{ key: "A", title: "{{{learner.name}}}", body: "Hi {{& learner.firstName}} {{{event.properties.x}}}", weight: 1 }] };
    const rendered = renderMessage(template, "A", hostileContext);
    expect(rendered.title).toBe(ESCAPED);
    expect(rendered.body).toBe(`Hi ${ESCAPED} ${ESCAPED}`);
  });

  it("when an insight is marked as HTML by its author, then its value is output raw, also through @root", () => {
    expect(renderTemplateSource("<div>{{{insights.html.value}}}</div>", hostileContext)).toBe("<div><b>staff copy</b></div>");
    expect(renderTemplateSource("{{#each event.properties.list}}{{{@root.insights.html.value}}}{{/each}}", hostileContext)).toBe("<b>staff copy</b>");
    expect(renderTemplateSource("{{& insights.html.value}}", hostileContext)).toBe("<b>staff copy</b>");
  });

  it("when a marked insight holds a number, or the insight is missing, then it renders as plain text", () => {
    expect(renderTemplateSource("[{{{insights.numeric.value}}}][{{{insights.missing.value}}}]", hostileContext)).toBe("[3][]");
    expect(renderTemplateSource("[{{{insights.html.value}}}]", {})).toBe("[]");
  });

  it("when learner data imitates a marked insight, then it is still escaped", () => {
    // learner.attributes.insights.tip looks like an insight marked as HTML, and {{#with}} makes it the context.
    expect(renderTemplateSource("{{#with learner.attributes}}{{{insights.tip.value}}}{{/with}}", hostileContext)).toBe(ESCAPED);
  });

  it("when a CTA URL uses a triple-stash, then the URL is checked as a URL, not trusted as HTML", () => {
    const template = { templateKey: "old", version: 1, locale: "en", variants: [{ key: "A", title: "t", body: "b", cta: { label: "Go", url: "{{{event.properties.x}}}" }, weight: 1 }] };
    const rendered = renderMessage(template, "A", { event: { properties: { x: "javascript:alert(1)" } } });
    expect(rendered.cta).toBeNull();
    const safe = renderMessage(template, "A", { event: { properties: { x: '/next?q="><script>' } } });
    expect(safe.cta?.url).toBe("/next?q=%22%3E%3Cscript%3E");
  });
});
