/**
 * toPlainRenderData copies plain contexts directly instead of round-tripping them through JSON; what a template
 * sees must be what the round-trip (jsonRoundTrip, the code it replaced) gives, value for value (-0, NaN, key
 * order, dropped keys), for any input, including the ones the copy hands back to the round-trip.
 */
import fc from "fast-check";
import { MAX_CONTEXT_ARRAY_ITEMS, jsonRoundTrip, toPlainRenderData } from "../../../src/templates/render-context";

/** The result as text that keeps key order, tells -0 from 0 and shows any object that is not a plain one. */
const canonical = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => {
  if (Object.is(v, -0)) return "(-0)";
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) !== (Array.isArray(v) ? Array.prototype : Object.prototype)) return { "(prototype)": String(Object.getPrototypeOf(v)), own: { ...v } };
  return v;
});

function outcome(convert: (context: unknown) => unknown, context: unknown): { value: string } | { error: string } {
  try {
    return { value: canonical(convert(context)) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const key = fc.oneof(fc.string(), fc.constantFrom("__proto__", "toJSON", "constructor", "0", "7", "-1", "length"));
const anything = fc.anything({
  key,
  maxDepth: 5,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
  values: [fc.double(), fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, undefined, null), fc.string(), fc.boolean(), fc.integer(), fc.func(fc.string())],
});

describe("the render data of a context", () => {
  it("is what the JSON round-trip gives, for any value", () => {
    fc.assert(fc.property(anything, (context) => {
      expect(outcome(toPlainRenderData, context)).toEqual(outcome(jsonRoundTrip, context));
    }), { numRuns: 3_000 });
  });

  it("is what the JSON round-trip gives for snapshot-shaped contexts (the copy's own path), without sharing objects", () => {
    fc.assert(fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 4 })), fc.jsonValue(), (attributes, value) => {
      const context = { learner: { id: "L1", name: "Ada", attributes }, event: { type: "x", properties: { value } }, insights: { k: { value, score: -0, metadata: {} } } };
      const copy = toPlainRenderData(context);
      expect(canonical(copy)).toBe(canonical(jsonRoundTrip(context)));
      expect((copy.learner as { attributes: unknown }).attributes).not.toBe(attributes);
    }), { numRuns: 1_000 });
  });

  it("agrees on the edges: long arrays, Dates (valid or not), own __proto__ keys, deep nesting, cycles, throwing getters, top-level non-objects", () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 200; i++) cursor = (cursor.next = {}) as Record<string, unknown>;
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const withGetter = { get boom(): unknown { throw new Error("no"); } };
    const cases: unknown[] = [
      { list: Array.from({ length: MAX_CONTEXT_ARRAY_ITEMS + 5 }, (_, i) => i), nested: [[Array.from({ length: 2_000 }, () => -0)]] },
      { at: new Date("2026-01-02T03:04:05Z"), invalid: new Date(Number.NaN), list: [new Date(0), undefined, () => 1, Symbol("s")] },
      JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
      { big: 12345678901234567890n, nan: Number.NaN, inf: -Infinity, zero: -0, u: undefined },
      deep, cyclic, withGetter, { toJSON: () => ({ replaced: true }) }, { nested: { toJSON: () => "text" } },
      "a string", 42, null, undefined, () => 1, [1, 2], new Map([["a", 1]]),
    ];
    for (const context of cases) expect(outcome(toPlainRenderData, context)).toEqual(outcome(jsonRoundTrip, context));
  });
});
