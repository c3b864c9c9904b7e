import { boundOf, TEST_BOUNDS, type BoundSpec } from "../../../simulator/test-bounds";
import type { SeedFigures } from "../../../simulator/summarize";

const seed = (family: string, i: number, gateCut: number | null): SeedFigures => ({
  section: "small", family, seed: `m${i}`, trueEffect: 0, best: null, votes: {}, messagesPerLearner: {},
  shareOnBest: null, regretRatio: null, gateCut, gateKept: null, gateCutRealized: null, gateKeptRealized: null, paused: {},
});

describe("the simulator test's bounds", () => {
  // Cuts 0.00, 0.01, …, 0.19 (and a seed without the figure, left out): 190 pairs, whose means run from 0.005 to 0.185.
  const seeds = [...Array.from({ length: 20 }, (_, i) => seed("flat", i, i / 100)), seed("flat", 20, null), seed("steady", 0, -1)];
  const spec = (over: Partial<BoundSpec>): BoundSpec => ({ name: "cut", metric: "gateCut", families: ["flat"], direction: ">=", level: 0.01, ...over });

  it("takes the more lenient of the quantile over seed combinations and the normal one, rounded outward", () => {
    const low = boundOf(spec({}), seeds);
    expect(low.mean).toBeCloseTo(0.095, 10);
    // sd of one seed: sqrt(Σ(i − 9.5)²/19)/100 = 0.0592; of a mean of two: 0.0418.
    expect(low.sd).toBeCloseTo(0.059161 / Math.SQRT2, 5);
    expect(low.normal).toBeCloseTo(0.095 - 2.3263 * low.sd, 10);
    // The 1% quantile of the 190 pair means (type 7): 0.89 of the way from the 2nd smallest (0.01) to the 3rd (0.015).
    expect(low.empirical).toBeCloseTo(0.01 + 0.89 * 0.005, 10);
    expect(low.bound).toBe(Math.floor(Math.min(low.empirical, low.normal) * 100) / 100);
    const high = boundOf(spec({ direction: "<=" }), seeds);
    expect(high.empirical).toBeCloseTo(0.19 - low.empirical, 10);
    expect(high.bound).toBe(Math.ceil(Math.max(high.empirical, high.normal) * 100) / 100);
  });

  it("pools families as the test does: the mean over families of each family's two seeds", () => {
    const two = [...Array.from({ length: 3 }, (_, i) => seed("flat", i, i)), ...Array.from({ length: 3 }, (_, i) => seed("steady", i, 10 * i))];
    const pooled = boundOf(spec({ families: ["flat", "steady"], level: 0.001 }), two);
    // flat pair means 0.5, 1, 1.5; steady 5, 10, 15: the lowest pooled mean is (0.5 + 5)/2.
    expect(pooled.mean).toBeCloseTo((1 + 10) / 2, 10);
    expect(pooled.empirical).toBeGreaterThanOrEqual(2.75);
    expect(pooled.empirical).toBeLessThan(3);
  });

  it("refuses a level it has no normal quantile for, and too few seeds", () => {
    expect(() => boundOf(spec({ level: 0.05 }), seeds)).toThrow(/no normal quantile/);
    expect(() => boundOf(spec({ families: ["steady"] }), seeds)).toThrow(/1 seeds of steady/);
  });

  it("covers what the test asserts: the bandit pooled, the gate per family", () => {
    expect(TEST_BOUNDS.map((b) => `${b.metric}:${b.families.join("+")}:${b.direction}:${b.level}`)).toEqual([
      "shareOnBest:steady+reversed:>=:0.01", "regretRatio:steady+reversed:<=:0.001",
      "gateCut:steady:>=:0.001", "gateKept:steady:>=:0.001", "gateCut:reversed:>=:0.001", "gateKept:reversed:>=:0.001",
      "gateCut:flat:>=:0.001", "gateKept:flat:>=:0.001",
    ]);
  });
});
