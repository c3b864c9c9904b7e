/**
 * A shard: the experiments one engine runs side by side — the arms of some (family, seed) runs — and what came
 * out of each, including the engine's own figures (paused variants, and for loop-off runs the lift report
 * analysts read).
 */
import type { EngineContext } from "../src/context";
import type { ManualClock } from "../src/lib/clock";
import { emptyTables } from "../src/db/empty-tables";
import { liftReport } from "../src/analytics/experiment-report";
import { familyNamed } from "./families";
import { knobsWith, type Knobs } from "./knobs";
import { drawPopulation, trueConversion, trueHelpfulRates, type SimVariant } from "./population";
import { runWorld, type Experiment, type Tally, type Timings } from "./run-world";
import { FOLLOW_UP, configureExperiment, configurePolicy, type ArmKey } from "./scenario";

export const START = new Date("2026-01-05T00:00:00Z");

export interface Shard {
  name: string;
  /** The plan's section this shard belongs to (plan.ts). */
  section: string;
  /** The (family, seed) pairs whose arms this shard runs. */
  runs: Array<{ family: string; seed: string }>;
  arms: ArmSpec[];
  learners: number;
  days: number;
  votesForShare: number;
  modelEveryHours: number;
  knobs: Knobs;
  /** Keep every experiment's votes in the result (the tuning run replays them under other auto-pause thresholds). */
  keepVotes?: boolean;
}

/** An arm of every run in a shard; `label` and `knobs` let one shard compare knob values side by side (tuning). */
export interface ArmSpec {
  arm: ArmKey;
  label?: string;
  knobs?: Partial<Knobs>;
}

/** A vote as the tuning replay needs it: the variant, the simulated hour and whether it was helpful. */
export interface VoteRecord {
  variant: string;
  hour: number;
  helpful: boolean;
}

export interface LiftOutcome {
  estimate: number | null;
  interval: [number, number] | null;
  trueLift: number;
  covered: boolean;
  sent: number;
  heldOut: number;
}

export interface ExperimentResult {
  family: string;
  seed: string;
  arm: ArmKey;
  label: string;
  trueRates: Record<SimVariant, number>;
  best: SimVariant | null;
  tally: Tally;
  /** Variants auto-paused by the end of the run. */
  paused: string[];
  lift: LiftOutcome | null;
  votes?: VoteRecord[];
}

export interface ShardResult {
  shard: string;
  section: string;
  experiments: ExperimentResult[];
  /** Messages the engine marked failed (should be none). */
  failedMessages: number;
  elapsedMs: number;
  timings: Timings;
}

/** Keys are rule keys, template keys and course ids at once: lower case, short. */
const keyOf = (family: string, seed: string, arm: ArmSpec) => `${family}-${seed}-${arm.arm}${arm.label ? `-${arm.label}` : ""}`.toLowerCase();

/** Runs one shard on an engine whose clock is `clock`; the engine's tables are emptied first. */
export async function runShard(ctx: EngineContext, clock: ManualClock, shard: Shard, progress?: (message: string) => void): Promise<ShardResult> {
  const started = Date.now();
  await emptyTables(ctx.database.pool);
  clock.set(START);
  await configurePolicy(ctx, shard.knobs);
  const experiments: Experiment[] = [];
  for (const run of shard.runs) {
    const family = familyNamed(run.family);
    const seed = run.seed;
    const learners = drawPopulation(family, seed, shard.learners, START);
    const rates = trueHelpfulRates(learners);
    const best = rates.A === rates.B ? null : rates.A > rates.B ? "A" : "B";
    for (const spec of shard.arms) {
      const key = keyOf(family.name, seed, spec);
      await configureExperiment(ctx, key, spec.arm, knobsWith(shard.knobs, spec.knobs ?? {}));
      experiments.push({ key, family: family.name, seed, arm: spec.arm, label: spec.label ?? "", learners, best });
    }
  }
  const { tallies, timings } = await runWorld(ctx, clock, experiments, {
    days: shard.days,
    votesForShare: shard.votesForShare,
    modelEveryHours: shard.modelEveryHours,
    progress: (day) => progress?.(`${shard.name}: day ${day}/${shard.days} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
  });
  const paused = await pausedVariants(ctx);
  const votes = shard.keepVotes ? await voteRecords(ctx) : null;
  const results: ExperimentResult[] = [];
  for (const e of experiments) {
    results.push({
      family: e.family,
      seed: e.seed,
      arm: e.arm,
      label: e.label,
      votes: votes?.get(e.key) ?? undefined,
      trueRates: trueHelpfulRates(e.learners),
      best: e.best,
      tally: tallies.get(e.key)!,
      paused: paused.get(e.key) ?? [],
      // Loop-off runs measure the holdout lift (the other arms' traffic is not a fixed split, and the gate holds nudges back).
      lift: e.arm === "split" ? await measureLift(ctx, e) : null,
    });
  }
  const { rows } = await ctx.database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'failed'`);
  return { shard: shard.name, section: shard.section, experiments: results, failedMessages: rows[0].n, elapsedMs: Date.now() - started, timings };
}

/** Every experiment's votes in the order of the simulated hours they were cast in. */
async function voteRecords(ctx: EngineContext): Promise<Map<string, VoteRecord[]>> {
  const { rows } = await ctx.database.pool.query<{ template_key: string; variant: string; voted_at: Date; vote: string }>(
    `SELECT template_key, variant, voted_at, vote FROM messages WHERE vote IS NOT NULL ORDER BY voted_at, id`,
  );
  const out = new Map<string, VoteRecord[]>();
  for (const r of rows) {
    const list = out.get(r.template_key) ?? [];
    list.push({ variant: r.variant, hour: Math.round((r.voted_at.getTime() - START.getTime()) / 3_600_000), helpful: r.vote === "helpful" });
    out.set(r.template_key, list);
  }
  return out;
}

async function pausedVariants(ctx: EngineContext): Promise<Map<string, string[]>> {
  const { rows } = await ctx.database.pool.query<{ template_key: string; variant_key: string }>(`SELECT template_key, variant_key FROM variant_pauses WHERE unpaused_at IS NULL ORDER BY variant_key`);
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.template_key, [...(out.get(r.template_key) ?? []), r.variant_key]);
  return out;
}

/**
 * The engine's lift report (the SQL analysts use) beside the true lift: the mean, over the learners the report
 * counts (exposed, follow-up window closed), of P(complete within 7 days | nudged) − P(… | not nudged).
 */
async function measureLift(ctx: EngineContext, e: Experiment): Promise<LiftOutcome> {
  const asOf = ctx.clock.now();
  const report = await liftReport(ctx.database.pool, e.key, FOLLOW_UP, asOf);
  const { rows } = await ctx.database.pool.query<{ learner_id: string }>(`SELECT learner_id FROM analytics.holdout_exposures WHERE rule_key = $1 AND exposed_at + make_interval(days => $2) <= $3`, [
    e.key,
    FOLLOW_UP.withinDays,
    asOf,
  ]);
  const index = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));
  const exposed = rows.map((r) => e.learners[index(r.learner_id)]);
  const trueLift = exposed.reduce((s, l) => s + trueConversion(l, true) - trueConversion(l, false), 0) / Math.max(1, exposed.length);
  const interval = report.liftCI;
  return {
    estimate: report.lift,
    interval,
    trueLift,
    covered: !!interval && interval[0] <= trueLift && trueLift <= interval[1],
    sent: report.sent.learners,
    heldOut: report.heldOut.learners,
  };
}
