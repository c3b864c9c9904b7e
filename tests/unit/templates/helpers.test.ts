import { renderTemplateSource } from "../../../src/templates/render";

const render = (source: string, context: Record<string, unknown> = {}) => renderTemplateSource(source, context);
const learner = (timezone: string, locale = "en") => ({ learner: { timezone, locale }, goal: { createdAt: "2026-11-23T20:30:00Z" } });

describe("template helpers", () => {
  it("when a date is formatted, then it is shown in the learner's timezone", () => {
    expect(render('{{formatDate goal.createdAt "date"}}', learner("Asia/Tokyo"))).toBe("Nov 24, 2026");
    expect(render('{{formatDate goal.createdAt "date"}}', learner("Europe/London"))).toBe("Nov 23, 2026");
    expect(render('{{formatDate goal.createdAt "time"}}', learner("Asia/Tokyo"))).toBe("5:30 AM");
    expect(render('{{formatDate goal.createdAt "time"}}', learner("Europe/London"))).toBe("8:30 PM");
  });

  it("when a date is formatted, then it uses the learner's locale", () => {
    expect(render('{{formatDate goal.createdAt "long"}}', learner("Europe/London", "pt-BR"))).toMatch(/^23 de novembro de 2026/);
    expect(render('{{formatDate goal.createdAt "long"}}', learner("Europe/London"))).toBe("November 23, 2026 at 8:30 PM");
  });

  it("when the learner has no or a bad timezone and locale, then UTC and English are used", () => {
    expect(render('{{formatDate goal.createdAt "short"}}', { goal: { createdAt: "2026-11-23T20:30:00Z" } })).toBe("11/23/26, 8:30 PM");
    expect(render('{{formatDate goal.createdAt "short"}}', { ...learner("Mars/Base", "!!"), goal: { createdAt: "2026-11-23T20:30:00Z" } })).toBe(
      "11/23/26, 8:30 PM",
    );
  });

  it("when the date is missing or not a date, then formatDate renders nothing", () => {
    expect(render("[{{formatDate goal.createdAt}}]", {})).toBe("[]");
    expect(render("[{{formatDate learner.name}}]", { learner: { name: "Ada" } })).toBe("[]");
  });

  it("when pluralize gets a count, then it picks the singular for one and the plural otherwise", () => {
    expect(render('{{pluralize 1 "lesson"}}|{{pluralize 0 "lesson"}}|{{pluralize 3 "lesson"}}')).toBe("lesson|lessons|lessons");
    expect(render('{{n}} {{pluralize n "quiz" "quizzes"}}', { n: 2 })).toBe("2 quizzes");
    expect(render('{{pluralize n "quiz" "quizzes"}}', { n: 1 })).toBe("quiz");
  });

  it("when a value is missing, null or empty, then default gives the fallback, and keeps 0 and false", () => {
    expect(render('{{default learner.firstName "there"}}', {})).toBe("there");
    expect(render('{{default learner.firstName "there"}}', { learner: { firstName: null } })).toBe("there");
    expect(render('{{default learner.firstName "there"}}', { learner: { firstName: "" } })).toBe("there");
    expect(render('{{default learner.firstName "there"}}', { learner: { firstName: "Ada" } })).toBe("Ada");
    expect(render('{{default n "none"}}|{{default b "none"}}', { n: 0, b: false })).toBe("0|false");
  });

  it("when a share is given, then percent shows it as a whole percentage", () => {
    expect(render("{{percent 0.8}}|{{percent s}}|{{percent s 1}}|[{{percent x}}]", { s: 0.4567, x: "n/a" })).toBe("80%|46%|45.7%|[]");
  });

  it("when comparisons are combined, then they behave like the contract's condition operators", () => {
    const source = "{{eq a 1}} {{ne a 1}} {{lt a 2}} {{lte a 1}} {{gt a 0}} {{gte a 2}} {{and a b}} {{or c b}} {{not c}} {{lt a 'x'}}";
    expect(render(source, { a: 1, b: "yes", c: [] })).toBe("true false true true true false true true true false");
    expect(render("{{#if (and (gte score 0.5) (not passed))}}close{{else}}no{{/if}}", { score: 0.6, passed: false })).toBe("close");
  });
});
