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
    report = await simulate(engine.ctx, clock, { seed: "ci", learners: 200, days: 28, liftRuns: 3, liftLearners: 120, liftDays: 9, votesForShare: 400 });
  }, 240_000);
  afterAll(async () => engine.close());

  it("puts traffic on the truly best variant with the bandit, at a fraction of the fixed split's regret", () => {
    const { off, bandit } = report.arms;
    expect(report.trueRates[report.best]).toBeGreaterThan(report.trueRates[report.best === "A" ? "B" : "A"] + 0.05);
    expect(off.shareOnBestAfterVotes!).toBeLessThan(0.6);
    expect(bandit.shareOnBestAfterVotes!).toBeGreaterThanOrEqual(0.9);
    expect(bandit.regretPerMessage).toBeLessThanOrEqual(0.5 * off.regretPerMessage);
  });

  it("cuts not-helpful votes with the gate while keeping nearly all helpful ones", () => {
    const { bandit, on } = report.arms;
    expect(on.notHelpful).toBeLessThanOrEqual(0.8 * bandit.notHelpful);
    expect(on.helpful).toBeGreaterThanOrEqual(0.9 * bandit.helpful);
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
