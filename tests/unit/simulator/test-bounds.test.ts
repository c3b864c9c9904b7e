import { boundOf, populationShare, TEST_BOUNDS, TEST_SEED_NAMES, type BoundSpec } from "../../../simulator/test-bounds";
import type { SeedFigures } from "../../../simulator/summarize";

const seed = (family: string, i: number, gateCut: number | null, gateKept: number | null = null): SeedFigures => ({
  section: "small",
  family,
  seed: `m${i}`,
  trueEffect: 0,
  best: null,
  votes: {},
  messagesPerLearner: {},
  shareOnBest: null,
  regretRatio: null,
  gateCut,
  gateKept,
  gateCutRealized: null,
  gateKeptRealized: null,
  paused: {},
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

  describe("given the population's helpful share", () => {
    // Shares 0.40, 0.41, …, 0.59; kept = 1 + 2·share ± 0.01 (+ − − + in every four seeds: the residuals sum to
    // zero and are orthogonal to the share, so the fit is exactly 1 + 2·share). The test's seeds: shares 0.40, 0.42.
    const residual = (i: number) => ([0, 3].includes(i % 4) ? 0.01 : -0.01);
    const fitted = Array.from({ length: 20 }, (_, i) => seed("flat", i, null, 1 + 2 * (0.4 + i / 100) + residual(i)));
    const shares: Record<string, number> = { ...Object.fromEntries(fitted.map((s, i) => [s.seed, 0.4 + i / 100])), ci0: 0.4, ci1: 0.42 };
    const shareOf = (family: string, s: string) => {
      expect(family).toBe("flat");
      return shares[s];
    };
    const given = spec({ metric: "gateKept", level: 0.001, givenShare: true });

    it("bounds the fit's prediction at the test's mean share, less the residuals' quantile, rounded outward", () => {
      const b = boundOf(given, fitted, shareOf, ["ci0", "ci1"]);
      expect(b.fit!.a).toBeCloseTo(1, 10);
      expect(b.fit!.b).toBeCloseTo(2, 10);
      expect(b.fit!.residualSd).toBeCloseTo(0.01 * Math.sqrt(20 / 18), 10);
      expect(b.fit!.testShare).toBeCloseTo(0.41, 10);
      expect(b.fit!.prediction).toBeCloseTo(1.82, 10);
      // Pairs of residuals average 0.01, 0 or −0.01 (45 of the 190 pairs): the 0.1% quantile is −0.01.
      expect(b.empirical).toBeCloseTo(1.81, 10);
      // The prediction's uncertainty: a mean of two, the fit's intercept (1/20), and its slope at 0.41 (mean share 0.495, Sxx 0.0665).
      const sd = b.fit!.residualSd * Math.sqrt(1 / 2 + 1 / 20 + (0.41 - 0.495) ** 2 / 0.0665);
      expect(b.normal).toBeCloseTo(1.82 - 3.0902 * sd, 10);
      expect(b.bound).toBe(Math.floor(Math.min(b.empirical, b.normal) * 100) / 100);
      // Over every population the share's spread counts as noise: the bound is far looser, though these seeds are the least helpful.
      expect(b.fit!.unconditional).toBe(boundOf({ ...given, givenShare: false }, fitted).bound);
      expect(b.fit!.unconditional).toBeLessThan(b.bound - 0.05);
      expect(b.mean).toBeCloseTo(1 + 2 * 0.495, 10);
      expect(boundOf({ ...given, direction: "<=" }, fitted, shareOf, ["ci0", "ci1"]).empirical).toBeCloseTo(1.83, 10);
    });

    it("needs the shares, of one family", () => {
      expect(() => boundOf(given, fitted)).toThrow(/no share to go by/);
      expect(() => boundOf({ ...given, families: ["flat", "steady"] }, fitted, shareOf)).toThrow(/one family/);
    });

    it("draws a population's share from its seed alone: the same every time, not on the start", () => {
      const share = populationShare("flat", "ci0", 300, new Date("2026-01-05T00:00:00Z"));
      expect(share).toBe(populationShare("flat", "ci0", 300, new Date(0)));
      expect(share).not.toBe(populationShare("flat", "ci1", 300, new Date(0)));
      expect(share).toBeGreaterThan(0.3);
      expect(share).toBeLessThan(0.6);
    });
  });

  it("refuses a level it has no normal quantile for, and too few seeds", () => {
    expect(() => boundOf(spec({ level: 0.05 }), seeds)).toThrow(/no normal quantile/);
    expect(() => boundOf(spec({ families: ["steady"] }), seeds)).toThrow(/1 seeds of steady/);
  });

  it("covers what the test asserts: the bandit pooled, the gate per family, flat's given the population's share", () => {
    expect(TEST_BOUNDS.map((b) => `${b.metric}:${b.families.join("+")}:${b.direction}:${b.level}${b.givenShare ? ":given share" : ""}`)).toEqual([
      "shareOnBest:steady+reversed:>=:0.01",
      "regretRatio:steady+reversed:<=:0.001",
      "gateCut:steady:>=:0.001",
      "gateKept:steady:>=:0.001",
      "gateCut:reversed:>=:0.001",
      "gateKept:reversed:>=:0.001",
      "gateCut:flat:>=:0.001:given share",
      "gateKept:flat:>=:0.001:given share",
    ]);
    expect(TEST_SEED_NAMES).toEqual(["ci0", "ci1"]);
  });
});
