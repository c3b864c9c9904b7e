import fc from "fast-check";
import { assignSplit } from "../../../src/experiments/split";
import { thompsonChoose } from "../../../src/experiments/thompson";
import { isHeldOut } from "../../../src/experiments/holdout";
import { seededRandom } from "../../../src/analytics/stats/random";

describe("variant assignment", () => {
  const none = new Set<string>();

  it("splits deterministically by learner and rule", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (learner, rule) => {
        const variants = [
          { key: "A", weight: 1 },
          { key: "B", weight: 1 },
        ];
        expect(assignSplit(learner, rule, variants, none)).toEqual(assignSplit(learner, rule, variants, none));
      }),
    );
  });

  it("is sticky when weights change: raising B's weight only moves learners into B", () => {
    const before = [
      { key: "A", weight: 1 },
      { key: "B", weight: 1 },
      { key: "C", weight: 1 },
    ];
    const after = [
      { key: "A", weight: 1 },
      { key: "B", weight: 3 },
      { key: "C", weight: 1 },
    ];
    let moved = 0;
    for (let i = 0; i < 5_000; i++) {
      const a = assignSplit(`L${i}`, "rule", before, none)!.variant;
      const b = assignSplit(`L${i}`, "rule", after, none)!.variant;
      if (a !== b) {
        moved++;
        expect(b).toBe("B");
      }
    }
    // B goes from 1/3 to 3/5 of traffic: about 27% of learners move, all of them into B.
    expect(moved / 5_000).toBeGreaterThan(0.22);
    expect(moved / 5_000).toBeLessThan(0.32);
  });

  it("follows the weights and skips paused variants", () => {
    const variants = [
      { key: "A", weight: 1 },
      { key: "B", weight: 3 },
    ];
    const counts = { A: 0, B: 0 } as Record<string, number>;
    for (let i = 0; i < 8_000; i++) counts[assignSplit(`L${i}`, "r", variants, none)!.variant]++;
    expect(counts.B / 8_000).toBeCloseTo(0.75, 1);
    expect(assignSplit("L1", "r", variants, new Set(["B"]))!.variant).toBe("A");
    expect(assignSplit("L1", "r", variants, new Set(["A", "B"]))).toBeNull();
  });

  it("draws the same bandit variant for the same seed, and records the posteriors behind it", () => {
    const arms = [
      { key: "A", successes: 30, failures: 20 },
      { key: "B", successes: 25, failures: 25 },
    ];
    const choice = thompsonChoose(arms, 0.05, "rule|L1|evt-1");
    expect(thompsonChoose(arms, 0.05, "rule|L1|evt-1")).toEqual(choice);
    expect(choice.arms.map((a) => [a.key, a.alpha, a.beta])).toEqual([
      ["A", 31, 21],
      ["B", 26, 26],
    ]);
  });

  it("shifts a seeded bandit toward the better variant as rewards come in", () => {
    const truth: Record<string, number> = { A: 0.5, B: 0.6 };
    const arms = [
      { key: "A", successes: 0, failures: 0 },
      { key: "B", successes: 0, failures: 0 },
    ];
    const world = seededRandom("world");
    const late: string[] = [];
    for (let round = 0; round < 3_000; round++) {
      const { variant } = thompsonChoose(arms, 0.05, `seeded|${round}`);
      const arm = arms.find((a) => a.key === variant)!;
      if (world.uniform() < truth[variant]) arm.successes++;
      else arm.failures++;
      if (round >= 2_000) late.push(variant);
    }
    expect(late.filter((v) => v === "B").length / late.length).toBeGreaterThan(0.85);
  });

  it("keeps exploring: with exploration share 1 the choice is uniform whatever the posteriors", () => {
    const arms = [
      { key: "A", successes: 1_000, failures: 0 },
      { key: "B", successes: 0, failures: 1_000 },
    ];
    let b = 0;
    for (let i = 0; i < 2_000; i++) if (thompsonChoose(arms, 1, `explore|${i}`).variant === "B") b++;
    expect(b / 2_000).toBeCloseTo(0.5, 1);
  });

  it("holds out a sticky share of learners per rule", () => {
    let held = 0;
    for (let i = 0; i < 10_000; i++) {
      const h = isHeldOut(`L${i}`, "rule", 0.1);
      expect(isHeldOut(`L${i}`, "rule", 0.1)).toBe(h);
      if (h) held++;
    }
    expect(held / 10_000).toBeCloseTo(0.1, 1);
    expect(isHeldOut("L1", "rule", 0)).toBe(false);
  });
});
