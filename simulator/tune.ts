/**
 * `npm run simulate -- --tune`: chooses the knobs on the tuning family only, with seeds of its own (`t…`), so
 * that every other family — and the tuning family's report seeds — judge them out of sample. One pass runs, per
 * seed, the bandit at each exploration floor and the gate at each prior strength side by side (they are rule
 * settings, so each is an experiment of its own); auto-pause's thresholds are policy-wide, so the pass runs with
 * auto-pause off and replays each experiment's votes, hour by hour, under every candidate threshold (until a
 * first pause nothing differs, so "would it ever pause" is exact). The criteria, fixed before the pass:
 *
 *   exploration floor   the lowest median regret ÷ split's (within 0.01 of the lowest: the larger floor, the safer)
 *   prior strength      the largest median cut of not-helpful votes among strengths keeping ≥ 95% (median) and
 *                       ≥ 90% (10th percentile) of helpful votes; if none does, the one keeping the most
 *   auto-pause          the most sensitive (highest rate, then fewest votes) that pauses no variant in any tuning
 *                       seed: both variants of the tuning family are good copy, so any pause there is a false one
 */
import { writeFileSync } from "node:fs";
import { judgeVariant } from "../src/experiments/auto-pause";
import { TUNING_FAMILY } from "./families";
import { ENGINE_DEFAULTS, describeKnobs, type Knobs } from "./knobs";
import { MAIN } from "./plan";
import type { ArmSpec, ExperimentResult, Shard, ShardResult } from "./shard";
import { distributionOf, type Distribution } from "./summarize";

const FLOORS = [0.02, 0.05, 0.1];
const STRENGTHS = [2, 4, 6, 8];
const PAUSES = [20, 30, 50].flatMap((minVotes) => [0.2, 0.3].map((minHelpfulRate) => ({ minVotes, minHelpfulRate })));
const SEEDS = 8;
const SEEDS_PER_SHARD = 4;
/** Auto-pause off during the pass: the thresholds are judged by replaying the votes. */
const PAUSE_OFF = { minVotes: 1_000_000, minHelpfulRate: 0 };

const label = (x: number) => String(x).replace(".", "p");

/** The tuning pass's shards. */
export function tuningShards(): Shard[] {
  const arms: ArmSpec[] = [
    ...FLOORS.map((f): ArmSpec => ({ arm: "bandit", label: `f${label(f)}`, knobs: { explorationFloor: f } })),
    ...STRENGTHS.map((s): ArmSpec => ({ arm: "on", label: `s${label(s)}`, knobs: { priorStrength: s } })),
  ];
  const seeds = Array.from({ length: SEEDS }, (_, i) => `t${i}`);
  const shards: Shard[] = [];
  for (let i = 0; i < seeds.length; i += SEEDS_PER_SHARD) {
    shards.push({
      name: `tune/${TUNING_FAMILY}/${i}`,
      section: "tune",
      runs: seeds.slice(i, i + SEEDS_PER_SHARD).map((seed) => ({ family: TUNING_FAMILY, seed })),
      arms,
      learners: MAIN.learners,
      days: MAIN.days,
      votesForShare: MAIN.votesForShare,
      modelEveryHours: 1,
      knobs: { ...ENGINE_DEFAULTS, autoPause: PAUSE_OFF },
      keepVotes: true,
    });
  }
  return shards;
}

interface Row {
  knob: string;
  value: string;
  metric: string;
  distribution: Distribution;
}

/** Runs the pass with `run`, applies the criteria, prints and writes the grid to `out`. */
export async function tune(run: (shards: Shard[]) => Promise<ShardResult[]>, out: string, say: (m: string) => void): Promise<Knobs> {
  const results = (await run(tuningShards())).flatMap((r) => r.experiments);
  const rows: Row[] = [];
  const seeds = [...new Set(results.map((r) => r.seed))];
  const find = (seed: string, labelled: string) => results.find((r) => r.seed === seed && r.label === labelled)!;

  const floorScores = FLOORS.map((floor) => {
    const of = seeds.map((seed) => find(seed, `f${label(floor)}`));
    const regret = distributionOf(of.map((e) => e.tally.regret / e.tally.splitRegret));
    const share = distributionOf(of.filter((e) => e.tally.afterVotes.delivered > 0).map((e) => e.tally.afterVotes.onBest / e.tally.afterVotes.delivered));
    rows.push(
      { knob: "explorationFloor", value: String(floor), metric: "regretRatio", distribution: regret },
      { knob: "explorationFloor", value: String(floor), metric: "shareOnBest", distribution: share },
    );
    return { floor, regret: regret.median };
  });
  const lowest = Math.min(...floorScores.map((f) => f.regret));
  const floor = Math.max(...floorScores.filter((f) => f.regret <= lowest + 0.01).map((f) => f.floor));

  const base = (seed: string) => find(seed, `f${label(ENGINE_DEFAULTS.explorationFloor)}`);
  const strengthScores = STRENGTHS.map((strength) => {
    const pairs = seeds.map((seed) => ({ on: find(seed, `s${label(strength)}`), bandit: base(seed) }));
    const cut = distributionOf(pairs.map((p) => 1 - p.on.tally.expectedNotHelpful / p.bandit.tally.expectedNotHelpful));
    const kept = distributionOf(pairs.map((p) => p.on.tally.expectedHelpful / p.bandit.tally.expectedHelpful));
    rows.push({ knob: "priorStrength", value: String(strength), metric: "gateCut", distribution: cut }, { knob: "priorStrength", value: String(strength), metric: "gateKept", distribution: kept });
    return { strength, cut: cut.median, kept: kept.median, keptP10: kept.p10 };
  });
  const qualifying = strengthScores.filter((s) => s.kept >= 0.95 && s.keptP10 >= 0.9);
  const priorStrength = qualifying.length ? qualifying.reduce((a, b) => (b.cut > a.cut ? b : a)).strength : strengthScores.reduce((a, b) => (b.kept > a.kept ? b : a)).strength;

  const pauseScores = PAUSES.map((settings) => {
    const pausedSeeds = seeds.filter((seed) => results.filter((r) => r.seed === seed).some((e) => wouldPause(e, settings))).length;
    rows.push({ knob: "autoPause", value: `${settings.minVotes}/${settings.minHelpfulRate}`, metric: "seedsWithAPause", distribution: distributionOf([pausedSeeds]) });
    return { settings, pausedSeeds };
  });
  const clean = pauseScores.filter((p) => p.pausedSeeds === 0).map((p) => p.settings);
  const autoPause = clean.length
    ? clean.reduce((a, b) => (b.minHelpfulRate > a.minHelpfulRate || (b.minHelpfulRate === a.minHelpfulRate && b.minVotes < a.minVotes) ? b : a))
    : ENGINE_DEFAULTS.autoPause;

  const chosen: Knobs = { priorStrength, explorationFloor: floor, autoPause };
  const lines = [`Tuning on ${TUNING_FAMILY}, ${seeds.length} seeds (${MAIN.learners} learners × ${MAIN.days} days):`];
  for (const r of rows)
    lines.push(
      `  ${r.knob.padEnd(17)} ${r.value.padEnd(8)} ${r.metric.padEnd(16)} median ${r.distribution.median.toFixed(3)}  p10 ${r.distribution.p10.toFixed(3)}  p90 ${r.distribution.p90.toFixed(3)}`,
    );
  lines.push(`Chosen: ${describeKnobs(chosen)} (engine defaults: ${describeKnobs(ENGINE_DEFAULTS)})`);
  console.log(lines.join("\n"));
  writeFileSync(
    out,
    [
      "knob,value,metric,n,median,p10,p90,min,max",
      ...rows.map((r) => [r.knob, r.value, r.metric, r.distribution.n, r.distribution.median, r.distribution.p10, r.distribution.p90, r.distribution.min, r.distribution.max].join(",")),
    ].join("\n") + "\n",
  );
  writeFileSync(out.replace(/\.csv$/, ".txt"), lines.join("\n") + "\n");
  say(`wrote ${out}`);
  return chosen;
}

/** Whether auto-pause with `settings` would have paused a variant of this experiment, reviewing at the end of every simulated hour. */
export function wouldPause(e: ExperimentResult, settings: { minVotes: number; minHelpfulRate: number }): boolean {
  const counts = new Map<string, { helpful: number; votes: number }>();
  const votes = e.votes ?? [];
  for (let i = 0; i < votes.length; i++) {
    const v = votes[i];
    const c = counts.get(v.variant) ?? { helpful: 0, votes: 0 };
    c.votes++;
    if (v.helpful) c.helpful++;
    counts.set(v.variant, c);
    const hourEnds = i === votes.length - 1 || votes[i + 1].hour !== v.hour;
    if (hourEnds && [...counts.values()].some((x) => judgeVariant(x.helpful, x.votes, settings).pause)) return true;
  }
  return false;
}
