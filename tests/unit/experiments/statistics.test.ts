import { newcombeInterval, twoProportionZTest } from "../../../src/analytics/stats/proportions";
import { sampleRatioMismatch } from "../../../src/analytics/stats/sample-ratio";
import { probabilityBest } from "../../../src/analytics/stats/probability-best";
import { experimentVerdict } from "../../../src/analytics/experiment-verdict";

describe("statistics analysts trust", () => {
  it("gives Newcombe's published interval for 56/70 − 48/80 (Newcombe 1998, method 10: 0.0524 to 0.3339)", () => {
    const [lo, hi] = newcombeInterval(56, 70, 48, 80)!;
    expect(lo).toBeCloseTo(0.0524, 4);
    expect(hi).toBeCloseTo(0.3339, 4);
  });

  it("runs a pooled two-proportion z-test (60/100 vs 50/100: z = 1.42, p = 0.155)", () => {
    const test = twoProportionZTest(60, 100, 50, 100)!;
    expect(test.z).toBeCloseTo(1.4213, 3);
    expect(test.pValue).toBeCloseTo(0.1552, 3);
    expect(twoProportionZTest(1, 0, 1, 10)).toBeNull();
  });

  it("flags a broken split by sample-ratio mismatch and not a healthy one", () => {
    const broken = sampleRatioMismatch([5_200, 4_800], [5_000, 5_000])!;
    expect(broken.chiSquare).toBeCloseTo(16, 6);
    expect(broken.flagged).toBe(true);
    const healthy = sampleRatioMismatch([5_030, 4_970], [5_000, 5_000])!;
    expect(healthy.flagged).toBe(false);
    expect(healthy.pValue).toBeGreaterThan(0.5);
    // Unequal weights: 2:1 expected, observed close to it.
    expect(sampleRatioMismatch([6_650, 3_350], [6_666.7, 3_333.3])!.flagged).toBe(false);
  });

  it("puts the probability of being best on the better arm, sums to 1, and is reproducible", () => {
    const p = probabilityBest([
      { successes: 60, failures: 40 },
      { successes: 50, failures: 50 },
    ]);
    expect(p[0] + p[1]).toBeCloseTo(1, 10);
    expect(p[0]).toBeGreaterThan(0.9);
    expect(p[0]).toBeLessThan(0.95); // analytic value ≈ 0.92
    expect(
      probabilityBest([
        { successes: 60, failures: 40 },
        { successes: 50, failures: 50 },
      ]),
    ).toEqual(p);
    const equal = probabilityBest([
      { successes: 5, failures: 5 },
      { successes: 5, failures: 5 },
      { successes: 5, failures: 5 },
    ]);
    for (const x of equal) expect(x).toBeCloseTo(1 / 3, 1);
  });

  it("words the verdict: broken split first, then data, then the winner", () => {
    const variants = [
      { variant: "A", votes: 400, probabilityBest: 0.03, paused: false },
      { variant: "B", votes: 410, probabilityBest: 0.97, paused: false },
    ];
    expect(experimentVerdict({ variants, control: "A", srm: null }).text).toBe("B is more helpful than A with 97% probability");
    expect(experimentVerdict({ variants, control: "A", srm: { chiSquare: 30, degreesOfFreedom: 1, pValue: 1e-8, flagged: true } }).status).toBe("broken_split");
    expect(experimentVerdict({ variants: [{ ...variants[0], votes: 12 }, variants[1]], control: "A", srm: null }).text).toMatch(/^not enough data yet/);
    expect(
      experimentVerdict({
        variants: [
          { ...variants[0], probabilityBest: 0.2 },
          { ...variants[1], probabilityBest: 0.8 },
        ],
        control: "A",
        srm: null,
      }).status,
    ).toBe("no_clear_winner");
  });
});
