import fc from "fast-check";
import { countJsonValues } from "../../../src/lib/json-value-count";

/** The obvious recursive count, for comparison. */
function count(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((n: number, item) => n + count(item), 0);
  if (typeof value === "object" && value !== null) return 1 + Object.values(value).reduce((n: number, item) => n + count(item), 0);
  return 1;
}

describe("countJsonValues", () => {
  it("whatever the value, then it counts every value up to the limit and stops just past it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 50 }), (value, limit) => {
        const exact = count(value);
        expect(countJsonValues(value, limit)).toBe(exact <= limit ? exact : limit + 1);
      }),
      { numRuns: 500 },
    );
  });

  it("when an array or object is huge, then the count stops at the limit instead of walking it", () => {
    expect(countJsonValues(new Array(10_000_000).fill(0), 100)).toBe(101);
    expect(countJsonValues(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])), 5_000)).toBe(5_001);
  });
});
