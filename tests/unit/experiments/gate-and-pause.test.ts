import { estimateOutcomes, gateDecision } from "../../../src/experiments/gate-estimate";
import { gateSchema } from "../../../src/experiments/settings";
import { judgeVariant } from "../../../src/experiments/auto-pause";

describe("helpfulness gate model", () => {
  const settings = gateSchema.parse({});
  const prior = { helpful: 300, notHelpful: 100, noInteraction: 600 };

  it("always sends to learners with too little history (exploration)", () => {
    const estimate = estimateOutcomes({ helpful: 0, notHelpful: 1, noInteraction: 0 }, prior, prior, settings);
    expect(gateDecision(estimate, settings, 0.99)).toMatchObject({ send: true, why: "too_little_history" });
  });

  it("holds a message from a learner who keeps voting not helpful, and sends to one who finds them helpful", () => {
    const averse = estimateOutcomes({ helpful: 0, notHelpful: 5, noInteraction: 1 }, prior, prior, settings);
    expect(averse.pNotHelpful).toBeGreaterThan(averse.pHelpful);
    expect(gateDecision(averse, settings, 0.99).send).toBe(false);
    const receptive = estimateOutcomes({ helpful: 4, notHelpful: 1, noInteraction: 1 }, prior, prior, settings);
    expect(gateDecision(receptive, settings, 0.99)).toMatchObject({ send: true, why: "positive" });
    expect(receptive.pHelpful + receptive.pNotHelpful + receptive.pNoInteraction).toBeCloseTo(1, 3);
  });

  it("explores a seeded share of negative decisions", () => {
    const averse = estimateOutcomes({ helpful: 0, notHelpful: 5, noInteraction: 1 }, prior, prior, settings);
    expect(gateDecision(averse, settings, 0.01)).toMatchObject({ send: true, why: "exploration" });
  });
});

describe("auto-pause rule", () => {
  const policy = { minVotes: 30, minHelpfulRate: 0.3 };

  it("pauses exactly at the Wilson bound and not before", () => {
    // Find the largest helpful count out of 30 votes whose Wilson upper bound is still below 0.3.
    let atBound = -1;
    for (let h = 0; h <= 30; h++) if (judgeVariant(h, 30, policy).pause) atBound = h;
    expect(atBound).toBeGreaterThanOrEqual(0);
    expect(judgeVariant(atBound, 30, policy).upperBound).toBeLessThan(0.3);
    expect(judgeVariant(atBound + 1, 30, policy).pause).toBe(false);
    expect(judgeVariant(atBound + 1, 30, policy).upperBound).toBeGreaterThanOrEqual(0.3);
    // Not before minVotes, however bad.
    expect(judgeVariant(0, 29, policy).pause).toBe(false);
  });
});
