import fc from "fast-check";
import { createRuleSchema } from "../../../src/content/rule.schema";
import { findConditionBoundsIssue, MAX_CONDITION_DEPTH, MAX_CONDITION_LEAVES, MAX_CONDITION_VALUES } from "../../../src/matching/condition-bounds";
import { conditionSchema, type Condition } from "../../../src/matching/conditions.schema";
import { zodFieldErrors } from "../../../src/lib/zod-errors";

const leaf = (i = 0): Condition => ({ field: `learner.attributes.a${i}`, op: "eq", value: i });

function nestedNot(levels: number): unknown {
  let condition: unknown = leaf();
  for (let i = 0; i < levels; i++) condition = { not: condition };
  return condition;
}

function errorsOf(value: unknown) {
  const parsed = conditionSchema.safeParse(value);
  return parsed.success ? [] : zodFieldErrors(parsed.error);
}

/** The depth and leaf count the limits are about, measured the obvious (recursive) way. */
function measure(c: unknown): { depth: number; leaves: number } {
  const node = c as Record<string, unknown>;
  if (node && typeof node === "object" && (Array.isArray(node.all) || Array.isArray(node.any))) {
    const children = ((node.all ?? node.any) as unknown[]).map(measure);
    return { depth: 1 + Math.max(0, ...children.map((m) => m.depth)), leaves: children.reduce((a, m) => a + m.leaves, 0) };
  }
  if (node && typeof node === "object" && "not" in node) {
    const inner = measure(node.not);
    return { depth: inner.depth + 1, leaves: inner.leaves };
  }
  return { depth: 1, leaves: 1 };
}

describe("condition limits checked on the raw JSON before the schema", () => {
  it("when a rule's where nests 1,000 `not`, then it is refused at the first level past the limit, with one error naming it", () => {
    const parsed = createRuleSchema.safeParse({ key: "r", name: "r", templateKey: "t", trigger: { eventType: "quiz.submitted", where: nestedNot(1000) } });
    expect(parsed.success).toBe(false);
    const errors = zodFieldErrors(parsed.error!);
    expect(errors).toEqual([{ path: `trigger.where${".not".repeat(MAX_CONDITION_DEPTH)}`, message: `Conditions may nest at most ${MAX_CONDITION_DEPTH} levels deep` }]);
  });

  it("when a condition nests a hundred thousand levels, then the check neither recurses nor overflows", () => {
    expect(errorsOf(nestedNot(100_000))[0].message).toMatch(/at most 10 levels/);
  });

  it("when an `all` lists 10,000 conditions, then it is refused naming the list and the limit", () => {
    const all = Array.from({ length: 10_000 }, (_, i) => leaf(i));
    expect(errorsOf({ all })).toEqual([{ path: "all", message: `"all" may list at most ${MAX_CONDITION_LEAVES} conditions` }]);
  });

  it("when lists nest wide without leaves, then the total number of parts is bounded too", () => {
    const grid = { any: Array.from({ length: 200 }, () => ({ all: Array.from({ length: 200 }, () => ({ all: [] })) })) };
    expect(errorsOf(grid)[0].message).toMatch(/more than 2000 parts/);
  });

  it("when a condition is exactly at the limits, then it is accepted; one more level or leaf is refused", () => {
    expect(errorsOf(nestedNot(MAX_CONDITION_DEPTH - 1))).toEqual([]);
    expect(errorsOf(nestedNot(MAX_CONDITION_DEPTH))[0].message).toMatch(/at most 10 levels/);
    const full = { all: Array.from({ length: MAX_CONDITION_LEAVES }, (_, i) => leaf(i)) };
    expect(errorsOf(full)).toEqual([]);
    const split = { any: [{ all: full.all.slice(0, 150) }, { all: [...full.all.slice(150), leaf(999)] }] };
    expect(errorsOf(split)).toEqual([{ path: "any[1].all[50]", message: `A condition may hold at most ${MAX_CONDITION_LEAVES} field comparisons` }]);
  });

  it("when `in` lists and values hold more than 5,000 items in all, then the condition is refused pointing at the value that crosses", () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `course-${i}`);
    expect(errorsOf({ field: "learner.attributes.course", op: "in", value: list(MAX_CONDITION_VALUES - 1) })).toEqual([]);
    expect(errorsOf({ field: "learner.attributes.course", op: "in", value: [...list(10), { nested: true }] })[0].path).toBe("value");
    expect(errorsOf({ field: "learner.attributes.course", op: "in", value: list(100_000) })).toEqual([
      { path: "value", message: `The values compared against may hold at most ${MAX_CONDITION_VALUES} items in all (use a segment for larger sets)` },
    ]);
    const split = {
      all: [
        { field: "learner.attributes.a", op: "in", value: list(3_000) },
        { field: "learner.attributes.b", op: "eq", value: { big: list(3_000) } },
      ],
    };
    expect(errorsOf(split)[0].path).toBe("all[1].value");
  });

  it("when a segment's conditions are checked, then the same limits apply (shared schema)", () => {
    expect(errorsOf({ all: [nestedNot(50)] })[0].path).toMatch(/^all\[0\](\.not)+$/);
  });

  const conditionArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "medium", withCrossShrink: true },
      fc.integer({ min: 0, max: 5 }).map((i) => leaf(i)),
      fc.array(tie("node"), { minLength: 1, maxLength: 6 }).map((all) => ({ all })),
      fc.array(tie("node"), { minLength: 1, maxLength: 6 }).map((any) => ({ any })),
      tie("node").map((not) => ({ not })),
    ),
  })).node;

  it("whatever the condition, then the raw check refuses exactly those past the depth or leaf limit", () => {
    fc.assert(
      fc.property(conditionArb, (condition) => {
        const { depth, leaves } = measure(condition);
        const withinLimits = depth <= MAX_CONDITION_DEPTH && leaves <= MAX_CONDITION_LEAVES;
        expect(findConditionBoundsIssue(condition) === null).toBe(withinLimits);
        expect(conditionSchema.safeParse(condition).success).toBe(withinLimits);
      }),
      { numRuns: 500 },
    );
  });
});
