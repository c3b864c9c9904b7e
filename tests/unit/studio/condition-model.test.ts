/** The studio's condition builder model, CSV reader and line diff: pure code, tested without a browser. */
import fc from "fast-check";
import { fromTree, parseValue, pathsOf, toTree, valueToText, type Condition, type Operator } from "../../../packages/studio/src/components/condition-model";
import { diffLines } from "../../../packages/studio/src/components/line-diff";
import { learnerIdsFromCsv } from "../../../packages/studio/src/views/segments/member-csv";

const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null));
const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    field: fc.constantFrom("event.properties.score", "learner.locale", "state.eventCount"),
    op: fc.constantFrom<Operator>("eq", "ne", "contains"),
    value: scalar.filter((v) => v !== null || true),
  }),
  fc.record({
    field: fc.constant("event.properties.tags"),
    op: fc.constantFrom<Operator>("in", "nin"),
    value: fc.array(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim() === s && s !== ""),
        fc.integer(),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({ field: fc.constant("goal.text"), op: fc.constant<Operator>("exists"), value: fc.boolean() }),
);
const { condition } = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { maxDepth: 3 },
    leaf,
    fc.record({ all: fc.array(tie("condition"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie("condition"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie("condition") }).filter((c) => !("not" in (c as { not: Condition }).not)),
  ) as fc.Arbitrary<Condition>,
}));

/** What the builder keeps: a root that is a bare leaf or a `not` comes back wrapped in {all: [...]}. */
function rooted(c: Condition): Condition {
  return "all" in c || "any" in c ? c : { all: [c] };
}

describe("the condition builder's model", () => {
  it("round-trips any condition through the tree (values typed as text and back)", () => {
    fc.assert(
      fc.property(condition, (c) => {
        expect(fromTree(toTree(c))).toEqual(rooted(c));
      }),
      { numRuns: 500 },
    );
  });

  it("reads typed values as the API wants them, and keeps quoted text as text", () => {
    expect(parseValue("false", "eq")).toBe(false);
    expect(parseValue("0.5", "lt")).toBe(0.5);
    expect(parseValue('"42"', "eq")).toBe("42");
    expect(parseValue("a, b, 3", "in")).toEqual(["a", "b", 3]);
    expect(parseValue("paid", "eq")).toBe("paid");
    expect(valueToText("42", "eq")).toBe('"42"');
    expect(valueToText("a,b", "eq")).toBe('"a,b"');
  });

  it("drops empty groups and names each row's body path as the API's errors do", () => {
    const tree = toTree({ all: [{ field: "learner.locale", op: "eq", value: "en" }, { not: { any: [{ field: "state.eventCount", op: "gt", value: 3 }] } }] });
    tree.children.unshift({ kind: "group", mode: "any", negate: false, children: [] });
    expect(fromTree(tree)).toEqual({ all: [{ field: "learner.locale", op: "eq", value: "en" }, { not: { any: [{ field: "state.eventCount", op: "gt", value: 3 }] } }] });
    const paths = [...pathsOf(tree, "trigger.where").values()];
    expect(paths).toEqual(["trigger.where", "trigger.where.all[0]", "trigger.where.all[1]", "trigger.where.all[1].not.any[0]"]);
    expect(fromTree(toTree(null))).toBeNull();
  });
});

describe("learner ids from a CSV upload", () => {
  it("takes the learnerId column when named, else the first, once each, with quotes and CRLF", () => {
    expect(learnerIdsFromCsv('name,learnerId\r\n"Lovelace, Ada",ada\r\nGrace,grace\r\n\r\nAgain,ada\r\n')).toEqual({ ids: ["ada", "grace"], header: "learnerId" });
    expect(learnerIdsFromCsv('ada\ngrace;x\n \n"ho""pper"')).toEqual({ ids: ["ada", "grace", 'ho"pper'], header: null });
    expect(learnerIdsFromCsv("")).toEqual({ ids: [], header: null });
  });
});

describe("the version diff", () => {
  it("keeps common lines and marks the rest added or removed, in order", () => {
    expect(diffLines(["a", "b", "c"], ["a", "x", "c", "d"])).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "x" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });

  it("rebuilds both sides from the diff, whatever the lines", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 30 }), fc.array(fc.constantFrom("a", "b", "c", "e"), { maxLength: 30 }), (before, after) => {
        const diff = diffLines(before, after);
        expect(diff.filter((l) => l.kind !== "added").map((l) => l.text)).toEqual(before);
        expect(diff.filter((l) => l.kind !== "removed").map((l) => l.text)).toEqual(after);
      }),
    );
  });
});
