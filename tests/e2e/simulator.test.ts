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
  afterAll(() => console.log(JSON.stringify(Object.fromEntries(Object.entries(report.arms).map(([k, a]) => [k, { ...a, shareOnBestByWeek: undefined }])))));

  it("puts traffic on the truly best variant with the bandit, at a fraction of the fixed split's regret", () => {
    const { off, bandit } = report.arms;
    expect(report.trueRates[report.best]).toBeGreaterThan(report.trueRates[report.best === "A" ? "B" : "A"] + 0.05);
    expect(bandit.shareOnBestAfterVotes!).toBeGreaterThanOrEqual(0.9);
    expect(bandit.shareOnBestAfterVotes!).toBeGreaterThan(off.shareOnBestAfterVotes! + 0.25); // the fixed split does not learn
    // Half the split's regret is the full-size target (npm run simulate); with 200 learners the early 50/50 phase weighs more.
    expect(bandit.regretPerMessage).toBeLessThanOrEqual(0.65 * off.regretPerMessage);
  });

  // At this size (about 7 messages per learner) the gate has little history to act on; the bounds below are
  // what it shows here, below the 30% / 95% targets (see the closing note and docs/learning-loop.md).
  it("cuts not-helpful votes with the gate at a smaller cost in helpful ones", () => {
    const { bandit, on } = report.arms;
    // Expected votes (each delivery's true probabilities), as `npm run simulate` judges the targets.
    const notHelpfulCut = 1 - on.expectedNotHelpful / bandit.expectedNotHelpful;
    const helpfulLost = 1 - on.expectedHelpful / bandit.expectedHelpful;
    expect(notHelpfulCut).toBeGreaterThanOrEqual(0.2);
    expect(helpfulLost).toBeLessThan(notHelpfulCut);
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
