/**
 * The worst inputs issue 12 found (and their neighbours) for templates, previews, rules and segments, as
 * ready-to-send requests: shared by the request-cost test (CPU time per request) and `npm run bench -- hostile`
 * (event-loop delay while they are sent). Bodies are built by `body()` so that each send gets fresh keys and
 * the caller can serialize outside whatever it measures.
 */
import type { EngineContext } from "../../src/context";

export interface HostileRequest {
  /** What the request is, as the README table names it. */
  name: string;
  method: "post" | "put";
  path: string;
  body: () => unknown;
  /** The status a correct engine answers. */
  status: number;
}

let serial = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++serial}`;

/** `{{eq (eq (eq … 1)) 1}}` nested `levels` deep: 3,000 levels is the 15 KB body. */
export const deepSubexpressions = (levels: number): string => `{{eq ${"(eq ".repeat(levels)}1${")".repeat(levels)} 1}}`;

/** `levels` nested `not` around one comparison. */
export function nestedNot(levels: number): unknown {
  let condition: unknown = { field: "learner.attributes.track", op: "eq", value: "paid" };
  for (let i = 0; i < levels; i++) condition = { not: condition };
  return condition;
}

/**
 * A valid body of about `tokens` tokens made of the costliest constructs per token: blocks with
 * subexpressions, helper calls with many arguments, date formatting, loops with block params.
 */
export function heavyBody(tokens: number): string {
  const unit =
    "{{#if (and (eq learner.locale 'en') (gt event.properties.score 0.5))}}{{formatDate goal.createdAt 'long'}}{{else}}{{percent event.properties.score 1}}{{/if}}{{#each learner.attributes.list as |item i|}}{{item}}{{/each}}";
  const unitTokens = 64;
  return unit.repeat(Math.max(1, Math.floor(tokens / unitTokens)));
}

const template = (key: string, variants: unknown[]) => ({ key, name: key, kind: "nudge", variants });
const variant = (key: string, body: string, title = "Hello") => ({ key, title, body, weight: 1 });

const leaf = (i: number) => ({ field: `learner.attributes.a${i}`, op: "in", value: [i, `v${i}`, true] });

/** The largest condition the limits accept: 200 comparisons, 10 levels deep. */
export function largestCondition(): unknown {
  const leaves = Array.from({ length: 200 }, (_, i) => leaf(i));
  let deep: unknown = { all: leaves.slice(0, 20) };
  for (let i = 0; i < 7; i++) deep = { not: deep };
  return { any: [deep, ...Array.from({ length: 9 }, (_, k) => ({ all: leaves.slice(20 + k * 20, 40 + k * 20) }))] };
}

/** A learner attribute the preview context loops over. */
const LIST = Array.from({ length: 1000 }, (_, i) => `item ${i}`);

/** Creates what the PUT and stored-version requests refer to: template `base`, rule `base-rule`, segment `base-seg`, learner `hostile-learner`, and a stored 3,000-deep version. */
export async function prepareHostileTargets(ctx: EngineContext, send: (method: "post" | "put", path: string, body: unknown) => Promise<number>): Promise<void> {
  const expectOk = async (method: "post" | "put", path: string, body: unknown) => {
    const status = await send(method, path, body);
    if (status >= 300) throw new Error(`setting up ${method} ${path} answered ${status}`);
  };
  await expectOk("post", "/v1/templates", template("base", [variant("A", "Hi {{learner.firstName}}")]));
  await expectOk("post", "/v1/rules", { key: "base-rule", name: "base", templateKey: "base", trigger: { eventType: "quiz.submitted" } });
  await expectOk("post", "/v1/segments", { key: "base-seg", name: "base", type: "attributes", conditions: { field: "learner.attributes.track", op: "eq", value: "paid" } });
  await ctx.prisma.learner.upsert({ where: { id: "hostile-learner" }, create: { id: "hostile-learner", name: "Ada Lovelace", attributes: { list: LIST } }, update: {} });
  await ctx.prisma.template.create({ data: { key: "stored-deep", name: "stored", kind: "nudge", latestVersion: 1, publishedVersion: 1 } });
  await ctx.prisma.templateVersion.create({
    data: { templateKey: "stored-deep", version: 1, name: "stored", kind: "nudge", locale: "en", variants: [variant("A", deepSubexpressions(3000))], author: "legacy", checksum: "x" },
  });
}

/** Benign requests of each kind, to warm the code paths up as a running engine's first saves would. */
export function warmUpRequests(): HostileRequest[] {
  return [
    { name: "warm-up template", method: "post", path: "/v1/templates", body: () => template(unique("warm"), [variant("A", "Hi {{learner.firstName}} {{#if goal}}{{goal.text}}{{/if}}")]), status: 201 },
    {
      name: "warm-up preview",
      method: "post",
      path: "/v1/templates/preview",
      body: () => ({ source: { title: "Hi", body: "{{#each learner.attributes.list}}{{this}}{{/each}} {{formatDate goal.createdAt 'long'}}" } }),
      status: 200,
    },
    {
      name: "warm-up rule",
      method: "post",
      path: "/v1/rules",
      body: () => ({ key: unique("warm"), name: "w", templateKey: "base", trigger: { eventType: "quiz.submitted", where: { all: [leaf(1), { not: leaf(2) }] } } }),
      status: 201,
    },
    {
      name: "warm-up segment",
      method: "post",
      path: "/v1/segments",
      body: () => ({ key: unique("warm"), name: "w", type: "attributes", conditions: { any: [leaf(1), { not: leaf(2) }] } }),
      status: 201,
    },
  ];
}

/** The worst inputs, each with the answer it must get. */
export function hostileRequests(): HostileRequest[] {
  const deep = deepSubexpressions(3000);
  const post = (name: string, path: string, body: () => unknown, status: number): HostileRequest => ({ name, method: "post", path, body, status });
  const put = (name: string, path: string, body: () => unknown, status: number): HostileRequest => ({ name, method: "put", path, body, status });
  const newTemplate = (name: string, body: string, status: number) => post(name, "/v1/templates", () => template(unique("t"), [variant("A", body)]), status);
  const newRule = (name: string, where: unknown, status: number) =>
    post(name, "/v1/rules", () => ({ key: unique("r"), name: "r", templateKey: "base", trigger: { eventType: "quiz.submitted", where } }), status);
  const newSegment = (name: string, conditions: unknown, status: number) => post(name, "/v1/segments", () => ({ key: unique("s"), name: "s", type: "attributes", conditions }), status);
  const tenThousand = Array.from({ length: 10_000 }, (_, i) => leaf(i));
  const grid = { any: Array.from({ length: 200 }, () => ({ all: Array.from({ length: 200 }, () => ({ all: [] })) })) };
  const locales = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`en-X${i}`, { title: "t", body: "b" }]));
  const largestTemplate = () =>
    template(
      unique("t"),
      Array.from({ length: 5 }, (_, i) => variant(String.fromCharCode(65 + i), heavyBody(1_000), "Hello {{learner.firstName}}")),
    );
  const bigContext = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
  const fullContext = { learner: { name: "Ada", attributes: { list: LIST } }, extra: Object.fromEntries(Array.from({ length: 3_900 }, (_, i) => [`k${i}`, "x".repeat(150)])) };
  return [
    newTemplate("template: 3,000 nested subexpressions (15 KB)", deep, 400),
    newTemplate("template: 1,500 nested blocks", `${"{{#a}}".repeat(1500)}x${"{{/a}}".repeat(1500)}`, 400),
    newTemplate("template: 1,400-link {{else if}} chain", `{{#if a}}${"{{else if a}}".repeat(1400)}{{/if}}`, 400),
    newTemplate("template: 4,000 mustaches (20 KB)", "{{a}}".repeat(4000), 400),
    newTemplate("template: helper call with 9,000 arguments", `{{eq ${"a ".repeat(9000)}}}`, 400),
    newTemplate("template: path of 6,000 segments", `{{${"a.".repeat(6000)}a}}`, 400),
    newTemplate("template: 600 raw {{{learner.name}}}", "{{{learner.name}}}".repeat(600), 400),
    newTemplate("template: 600 unknown helpers", "{{shout a}}".repeat(600), 400),
    newTemplate("template: 20 KB of whitespace inside a mustache", `{{${" ".repeat(19_990)}learner.name}}`, 201),
    newTemplate("template: 20 KB of whitespace before {{~…}}", `${" \t".repeat(9_990)}x{{~learner.name~}}`, 201),
    post("template: largest accepted (5 variants × 1,000 tokens)", "/v1/templates", largestTemplate, 201),
    post("template: 20,000 translations", "/v1/templates", () => template(unique("t"), [{ ...variant("A", "b"), locales }]), 400),
    put("template PUT: 3,000 nested subexpressions", "/v1/templates/base", () => template("base", [variant("A", deep)]), 400),
    put("template PUT: largest accepted", "/v1/templates/base", () => ({ ...largestTemplate(), key: "base" }), 200),
    post("preview: 3,000 nested subexpressions", "/v1/templates/preview", () => ({ source: { title: deep, body: deep } }), 400),
    post("preview: stored version 3,000 deep", "/v1/templates/preview", () => ({ templateKey: "stored-deep" }), 400),
    post("preview: largest source looping over 1,000 items", "/v1/templates/preview", () => ({ learnerId: "hostile-learner", source: { title: heavyBody(1_000), body: heavyBody(1_000) } }), 400),
    post("preview: 330 unknown variables", "/v1/templates/preview", () => ({ source: { body: Array.from({ length: 330 }, (_, i) => `{{v${i}}}`).join("") } }), 200),
    post("preview: context of 3,900 long strings (600 KB)", "/v1/templates/preview", () => ({ source: { body: "{{#each learner.attributes.list}}{{this}}{{/each}}" }, context: fullContext }), 200),
    post("preview: context of 20,000 values (290 KB)", "/v1/templates/preview", () => ({ source: { body: "x" }, context: bigContext }), 400),
    newRule("rule: where nests 55 `not`", nestedNot(55), 400),
    newRule("rule: where nests 1,000 `not`", nestedNot(1000), 400),
    newRule("rule: `all` of 10,000 conditions", { all: tenThousand }, 400),
    newRule("rule: 200 × 200 nested lists", grid, 400),
    newRule("rule: largest accepted (200 conditions, 10 levels)", largestCondition(), 201),
    newRule("rule: `in` list of 100,000 values", { field: "learner.attributes.course", op: "in", value: Array.from({ length: 100_000 }, (_, i) => i) }, 400),
    newRule("rule: largest accepted `in` list (4,999 values)", { field: "learner.attributes.course", op: "in", value: Array.from({ length: 4_999 }, (_, i) => `course-${i}`) }, 201),
    put("rule PUT: where nests 55 `not`", "/v1/rules/base-rule", () => ({ name: "r", templateKey: "base", trigger: { eventType: "quiz.submitted", where: nestedNot(55) } }), 400),
    newSegment("segment: conditions nest 55 `not`", nestedNot(55), 400),
    newSegment("segment: `all` of 10,000 conditions", { all: tenThousand }, 400),
    newSegment("segment: largest accepted", largestCondition(), 201),
    put("segment PUT: conditions nest 55 `not`", "/v1/segments/base-seg", () => ({ conditions: nestedNot(55) }), 400),
  ];
}
