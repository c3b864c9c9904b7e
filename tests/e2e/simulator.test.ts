import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { ManualClock } from "../../src/lib/clock";
import { simulate, START, type SimulationReport } from "../../simulator/simulate";

/**
 * A smaller, seeded version of `npm run simulate`: the real engine (ingest, matching, delivery, feedback,
 * learning-model job) on a manual clock. Seeded, so the figures are the same on every run; the asserted
 * bounds are the targets wherever this size can show them (see docs/learning-loop.md).
 */
describe("learner simulator", () => {
  let engine: TestEngine;
  let report: SimulationReport;
  const clock = new ManualClock(START);

  beforeAll(async () => {
    engine = await startTestEngine({ clock });
    report = await simulate(engine.ctx, clock, { seed: "ci", learners: 200, days: 28, liftRuns: 3, liftLearners: 120, liftDays: 9, votesForShare: 300 });
  }, 240_000);
  afterAll(async () => engine.close());

  it("puts traffic on the truly best variant with the bandit, at a fraction of the fixed split's regret", () => {
    const { off, bandit } = report.arms;
    expect(report.trueRates[report.best]).toBeGreaterThan(report.trueRates[report.best === "A" ? "B" : "A"] + 0.05);
    expect(bandit.shareOnBestAfterVotes!).toBeGreaterThanOrEqual(0.9);
    expect(bandit.shareOnBestAfterVotes!).toBeGreaterThan(off.shareOnBestAfterVotes! + 0.25); // the fixed split does not learn
    expect(bandit.regretPerMessage).toBeLessThanOrEqual(0.5 * off.regretPerMessage);
  });

  // The cut (≥ 30%) holds at this size too; with about 7 messages per learner instead of 12, the gate
  // spends a larger share of them learning who is averse, so the helpful votes kept are ~94% here and 95.8% in
  // the full run (docs/simulation-2026-11-25.txt), which is where the 95% target is measured.
  it("cuts not-helpful votes with the gate by at least 30% while keeping most helpful ones", () => {
    const { bandit, on } = report.arms;
    // Expected votes (each delivery's true probabilities), as `npm run simulate` judges the targets.
    const notHelpfulCut = 1 - on.expectedNotHelpful / bandit.expectedNotHelpful;
    const helpfulKept = on.expectedHelpful / bandit.expectedHelpful;
    expect(notHelpfulCut).toBeGreaterThanOrEqual(0.3);
    expect(helpfulKept).toBeGreaterThanOrEqual(0.93);
    expect(on.messagesPerLearner).toBeLessThan(bandit.messagesPerLearner);
  });

  it("measures a lift whose 95% interval contains the simulator's true lift", () => {
    expect(report.lift).toHaveLength(3);
    for (const run of report.lift) {
      expect(run.learners.heldOut).toBeGreaterThan(0);
      expect(run.trueLift).toBeGreaterThan(0);
      expect(run.covered).toBe(true);
    }
  });
});
