/**
 * The learner simulator: the same synthetic course run three times through the real engine — loop off
 * (fixed 50/50 split, no gate), bandit only, and loop on (bandit + gate) — then a series of small seeded
 * runs checking that the holdout lift's 95% interval covers the simulator's true lift.
 */
import type { EngineContext } from "../src/context";
import type { ManualClock } from "../src/lib/clock";
import { emptyTables } from "../src/db/empty-tables";
import { liftReport } from "../src/analytics/experiment-report";
import { drawPopulation, trueConversion, trueHelpfulRates, type SimLearner } from "./population";
import { runArm, type ArmOutcome } from "./run-arm";
import { ARMS, FOLLOW_UP, RULE_KEY, configureEngine, type ArmSettings } from "./scenario";
import { DAY_MS } from "./time";

export interface SimulationOptions {
  seed: string;
  learners: number;
  days: number;
  /** Seeded runs for the lift coverage check, with their own (smaller) size. */
  liftRuns: number;
  liftLearners: number;
  liftDays: number;
  /** Traffic share is measured on assignments made after this many votes. */
  votesForShare: number;
  /** Gate settings for the loop-on arm; the engine's defaults when absent. */
  gate?: Record<string, unknown>;
  progress?: (message: string) => void;
}

export const START = new Date("2026-01-05T00:00:00Z");

export interface ArmSummary {
  name: string;
  delivered: number;
  helpful: number;
  notHelpful: number;
  expectedHelpful: number;
  expectedNotHelpful: number;
  helpfulRate: number;
  notHelpfulPerMessage: number;
  messagesPerLearner: number;
  shareOnBestByWeek: number[];
  shareOnBestAfterVotes: number | null;
  assignmentsAfterVotes: number;
  regret: number;
  regretPerMessage: number;
}

export interface LiftRun {
  seed: string;
  estimate: number | null;
  interval: [number, number] | null;
  trueLift: number;
  covered: boolean;
  learners: { sent: number; heldOut: number };
}

export interface SimulationReport {
  options: Omit<SimulationOptions, "progress">;
  trueRates: { A: number; B: number };
  best: "A" | "B";
  arms: Record<keyof typeof ARMS, ArmSummary>;
  lift: LiftRun[];
  targets: Array<{ name: string; value: string; met: boolean }>;
}

/** Runs the whole simulation on an engine whose clock is `clock`; the engine's tables are emptied first. */
export async function simulate(ctx: EngineContext, clock: ManualClock, options: SimulationOptions): Promise<SimulationReport> {
  const say = options.progress ?? (() => undefined);
  const learners = drawPopulation(options.seed, options.learners, START);
  const trueRates = trueHelpfulRates(learners);
  const best = trueRates.B >= trueRates.A ? "B" : "A";
  const arms = {} as SimulationReport["arms"];
  for (const key of ["off", "bandit", "on"] as const) {
    say(`arm ${ARMS[key].name}: ${options.learners} learners × ${options.days} days`);
    const outcome = await runFresh(ctx, clock, ARMS[key], learners, options.days, options.seed, (d) => d % 7 === 0 && say(`  day ${d}`), options.gate);
    arms[key] = summarize(ARMS[key].name, outcome, best, options.votesForShare);
  }
  const lift: LiftRun[] = [];
  for (let run = 0; run < options.liftRuns; run++) {
    const seed = `${options.seed}-lift-${run}`;
    lift.push(await liftRun(ctx, clock, seed, options));
    say(`lift run ${run + 1}/${options.liftRuns}: estimate ${fmt(lift[run].estimate)} [${lift[run].interval?.map(fmt).join(", ")}], true ${fmt(lift[run].trueLift)}`);
  }
  return { options: { ...options, progress: undefined } as SimulationReport["options"], trueRates, best, arms, lift, targets: targets(arms, lift) };
}

async function runFresh(ctx: EngineContext, clock: ManualClock, arm: ArmSettings, learners: SimLearner[], days: number, seed: string, onDay?: (d: number) => void, gate?: Record<string, unknown>): Promise<ArmOutcome> {
  await emptyTables(ctx.database.pool);
  clock.set(START);
  await configureEngine(ctx, arm, seed, gate);
  return runArm(ctx, clock, learners, days, seed, onDay);
}

/** One small loop-off run; the estimate comes from the engine's own lift report (the SQL analysts use). */
async function liftRun(ctx: EngineContext, clock: ManualClock, seed: string, options: SimulationOptions): Promise<LiftRun> {
  const learners = drawPopulation(seed, options.liftLearners, START);
  await runFresh(ctx, clock, ARMS.off, learners, options.liftDays, seed);
  const asOf = clock.now();
  const report = await liftReport(ctx.database.pool, RULE_KEY, FOLLOW_UP, asOf);
  const { rows } = await ctx.database.pool.query<{ learner_id: string }>(
    `SELECT learner_id FROM analytics.holdout_exposures WHERE rule_key = $1 AND exposed_at + make_interval(days => $2) <= $3`,
    [RULE_KEY, FOLLOW_UP.withinDays, asOf],
  );
  const byId = new Map(learners.map((l) => [l.id, l]));
  const exposed = rows.map((r) => byId.get(r.learner_id)!);
  const trueLift = exposed.reduce((s, l) => s + trueConversion(l, true) - trueConversion(l, false), 0) / Math.max(1, exposed.length);
  const interval = report.liftCI;
  return {
    seed, estimate: report.lift, interval, trueLift,
    covered: !!interval && interval[0] <= trueLift && trueLift <= interval[1],
    learners: { sent: report.sent.learners, heldOut: report.heldOut.learners },
  };
}

function summarize(name: string, o: ArmOutcome, best: "A" | "B", votesForShare: number): ArmSummary {
  const weeks = new Map<number, { best: number; all: number }>();
  for (const a of o.assignments) {
    const w = Math.floor((a.at - START.getTime()) / (7 * DAY_MS));
    const cell = weeks.get(w) ?? { best: 0, all: 0 };
    cell.all++;
    if (a.variant === best) cell.best++;
    weeks.set(w, cell);
  }
  const after = o.assignments.filter((a) => a.votesBefore >= votesForShare);
  return {
    name, delivered: o.delivered, helpful: o.helpful, notHelpful: o.notHelpful, expectedHelpful: o.expectedHelpful, expectedNotHelpful: o.expectedNotHelpful,
    helpfulRate: o.helpful / Math.max(1, o.helpful + o.notHelpful),
    notHelpfulPerMessage: o.notHelpful / Math.max(1, o.delivered),
    messagesPerLearner: o.delivered / o.learners,
    shareOnBestByWeek: [...weeks.keys()].sort((a, b) => a - b).map((w) => weeks.get(w)!.best / weeks.get(w)!.all),
    shareOnBestAfterVotes: after.length ? after.filter((a) => a.variant === best).length / after.length : null,
    assignmentsAfterVotes: after.length,
    regret: o.regret, regretPerMessage: o.regret / Math.max(1, o.delivered),
  };
}

function targets(arms: SimulationReport["arms"], lift: LiftRun[]): SimulationReport["targets"] {
  const share = arms.bandit.shareOnBestAfterVotes;
  const regretRatio = arms.bandit.regretPerMessage / arms.off.regretPerMessage;
  const nhCut = 1 - arms.on.expectedNotHelpful / arms.bandit.expectedNotHelpful;
  const helpfulKept = arms.on.expectedHelpful / arms.bandit.expectedHelpful;
  const covered = lift.filter((l) => l.covered).length;
  return [
    { name: "bandit: traffic on the best variant after the vote threshold ≥ 90%", value: share === null ? "threshold not reached" : pct(share), met: share !== null && share >= 0.9 },
    { name: "bandit: regret per message ≤ 0.5 × fixed split's", value: `${regretRatio.toFixed(2)}×`, met: regretRatio <= 0.5 },
    { name: "gate: expected not-helpful votes cut ≥ 30% (vs the same loop without the gate)", value: pct(nhCut), met: nhCut >= 0.3 },
    { name: "gate: expected helpful votes kept ≥ 95%", value: pct(helpfulKept), met: helpfulKept >= 0.95 },
    { name: `lift: 95% interval covers the true lift in ≥ 95% of runs`, value: `${covered} of ${lift.length}`, met: lift.length > 0 && covered >= Math.ceil(0.95 * lift.length) },
  ];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toFixed(3));
