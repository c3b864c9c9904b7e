/**
 * From what the shards measured to what the issue asks: per seed, the bandit's share on the best variant after
 * the vote threshold and its regret against a fixed split, the gate's cut and keep, pauses; per family, the
 * distribution of each over the seeds; the targets judged on those distributions; and the holdout lift's
 * coverage over the lift runs, with its own binomial interval.
 */
import { wilsonInterval } from "../src/analytics/stats/wilson";
import { familyNamed, TUNING_FAMILY } from "./families";
import type { ArmKey } from "./scenario";
import type { ExperimentResult, LiftOutcome, ShardResult } from "./shard";
import type { SimVariant } from "./population";

export interface SeedFigures {
  section: string;
  family: string;
  seed: string;
  /** True helpful rate of B minus A (votes-weighted over the population). */
  trueEffect: number;
  best: SimVariant | null;
  votes: Partial<Record<ArmKey, number>>;
  messagesPerLearner: Partial<Record<ArmKey, number>>;
  /** Bandit arm: share of deliveries on the best variant once it had the section's vote threshold; null without a best variant or without such deliveries. */
  shareOnBest: number | null;
  /** Bandit arm: expected helpful votes lost ÷ what a fixed 50/50 split loses on the same deliveries; null without a best variant. */
  regretRatio: number | null;
  /** Loop on vs bandit only, on expected votes: share of not-helpful votes cut, share of helpful votes kept. */
  gateCut: number | null;
  gateKept: number | null;
  /** The same on the realized votes (they carry every vote draw's noise on top). */
  gateCutRealized: number | null;
  gateKeptRealized: number | null;
  /** Variants paused by the end of the run, per arm. */
  paused: Partial<Record<ArmKey, string[]>>;
}

export interface Distribution {
  n: number;
  mean: number;
  median: number;
  p5: number;
  p10: number;
  p90: number;
  p95: number;
  min: number;
  max: number;
}

export type Metric = "coverage" | "shareOnBest" | "regretRatio" | "gateCut" | "gateKept" | "gateCutRealized" | "gateKeptRealized" | "noPause" | "votesBandit" | "messagesPerLearner";

export interface FamilyDistribution {
  section: string;
  family: string;
  metric: Metric;
  distribution: Distribution;
}

export interface Target {
  family: string;
  /** What is judged, in words, e.g. "bandit share on the best variant after 2,000 votes, median". */
  name: string;
  metric: Metric;
  statistic: "median" | "p10" | "share of seeds" | "coverage interval";
  comparator: ">=" | "<=" | "contains";
  threshold: number;
  value: number | null;
  /** For the coverage: its interval. */
  interval?: [number, number];
  met: boolean;
  /** Judged on the family the knobs were chosen on (in sample). */
  inSample: boolean;
}

export interface LiftRun extends LiftOutcome {
  section: string;
  family: string;
  seed: string;
}

export interface Coverage {
  runs: number;
  covered: number;
  rate: number;
  /** Wilson 95% interval of the coverage rate. */
  interval: [number, number];
  byFamily: Record<string, { runs: number; covered: number }>;
}

export interface Summary {
  seeds: SeedFigures[];
  distributions: FamilyDistribution[];
  lift: LiftRun[];
  /** Per section with loop-off runs. */
  coverage: Record<string, Coverage>;
  targets: Target[];
}

/** The q-quantile of `values` by linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at),
    hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Median, 5/10/90/95th percentiles and range of `values` (at least one). */
export function distributionOf(values: number[]): Distribution {
  return {
    n: values.length,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    median: quantile(values, 0.5),
    p5: quantile(values, 0.05),
    p10: quantile(values, 0.1),
    p90: quantile(values, 0.9),
    p95: quantile(values, 0.95),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** One seed's figures from its arms' results. */
export function seedFigures(section: string, arms: ExperimentResult[], learners: number): SeedFigures {
  const [first] = arms;
  const arm = (key: ArmKey) => arms.find((a) => a.arm === key);
  const bandit = arm("bandit"),
    on = arm("on");
  const votes: SeedFigures["votes"] = {},
    messagesPerLearner: SeedFigures["messagesPerLearner"] = {},
    paused: SeedFigures["paused"] = {};
  for (const a of arms) {
    votes[a.arm] = a.tally.helpful + a.tally.notHelpful;
    messagesPerLearner[a.arm] = a.tally.delivered / learners;
    paused[a.arm] = a.paused;
  }
  const after = bandit?.tally.afterVotes;
  return {
    section,
    family: first.family,
    seed: first.seed,
    trueEffect: first.trueRates.B - first.trueRates.A,
    best: first.best,
    votes,
    messagesPerLearner,
    shareOnBest: first.best && after && after.delivered > 0 ? after.onBest / after.delivered : null,
    regretRatio: first.best && bandit ? ratio(bandit.tally.regret, bandit.tally.splitRegret) : null,
    gateCut: bandit && on ? 1 - on.tally.expectedNotHelpful / bandit.tally.expectedNotHelpful : null,
    gateKept: bandit && on ? on.tally.expectedHelpful / bandit.tally.expectedHelpful : null,
    gateCutRealized: bandit && on ? 1 - on.tally.notHelpful / bandit.tally.notHelpful : null,
    gateKeptRealized: bandit && on ? on.tally.helpful / bandit.tally.helpful : null,
    paused,
  };
}

const METRICS: Array<{ metric: Metric; of: (s: SeedFigures) => number | null }> = [
  { metric: "shareOnBest", of: (s) => s.shareOnBest },
  { metric: "regretRatio", of: (s) => s.regretRatio },
  { metric: "gateCut", of: (s) => s.gateCut },
  { metric: "gateKept", of: (s) => s.gateKept },
  { metric: "gateCutRealized", of: (s) => s.gateCutRealized },
  { metric: "gateKeptRealized", of: (s) => s.gateKeptRealized },
  { metric: "noPause", of: (s) => (Object.values(s.paused).every((p) => p.length === 0) ? 1 : 0) },
  { metric: "votesBandit", of: (s) => s.votes.bandit ?? null },
  { metric: "messagesPerLearner", of: (s) => s.messagesPerLearner.bandit ?? null },
];

/**
 * Everything the report shows, from the shards' results and from `reused` rows of sections an earlier run
 * measured (read back from its runs CSV, runs-csv.ts): `sections` names both kinds.
 */
export function summarize(
  results: ShardResult[],
  sections: Array<{ name: string; learners: number; votesForShare: number }>,
  reused: { seeds: SeedFigures[]; lift: LiftRun[] } = { seeds: [], lift: [] },
): Summary {
  const seeds: SeedFigures[] = [...reused.seeds];
  const lift: LiftRun[] = [...reused.lift];
  for (const shard of results) {
    const section = sections.find((s) => s.name === shard.section)!;
    const bySeed = new Map<string, ExperimentResult[]>();
    for (const e of shard.experiments) {
      if (e.lift) lift.push({ section: shard.section, family: e.family, seed: e.seed, ...e.lift });
      if (e.arm !== "split" && !e.label) bySeed.set(`${e.family}/${e.seed}`, [...(bySeed.get(`${e.family}/${e.seed}`) ?? []), e]);
    }
    for (const arms of bySeed.values()) seeds.push(seedFigures(shard.section, arms, section.learners));
  }
  const order = (a: { section: string; family: string; seed: string }, b: typeof a) => a.section.localeCompare(b.section) || a.family.localeCompare(b.family) || a.seed.localeCompare(b.seed);
  seeds.sort(order);
  lift.sort(order);
  const distributions: FamilyDistribution[] = [];
  for (const section of sections) {
    for (const family of [...new Set(seeds.filter((s) => s.section === section.name).map((s) => s.family))]) {
      const ofFamily = seeds.filter((s) => s.section === section.name && s.family === family);
      for (const { metric, of } of METRICS) {
        const values = ofFamily.map(of).filter((v): v is number => v !== null && Number.isFinite(v));
        if (values.length) distributions.push({ section: section.name, family, metric, distribution: distributionOf(values) });
      }
    }
  }
  const coverage: Summary["coverage"] = {};
  for (const section of new Set(lift.map((l) => l.section))) coverage[section] = coverageOf(lift.filter((l) => l.section === section));
  const main = sections.find((s) => s.name === "main");
  return { seeds, distributions, lift, coverage, targets: main ? targets(distributions, coverage.lift ?? null, main.votesForShare) : [] };
}

function coverageOf(lift: LiftRun[]): Coverage {
  const withInterval = lift.filter((l) => l.interval);
  const covered = withInterval.filter((l) => l.covered).length;
  const byFamily: Coverage["byFamily"] = {};
  for (const l of withInterval) {
    const cell = (byFamily[l.family] ??= { runs: 0, covered: 0 });
    cell.runs++;
    if (l.covered) cell.covered++;
  }
  return { runs: withInterval.length, covered, rate: covered / Math.max(1, withInterval.length), interval: wilsonInterval(covered, withInterval.length), byFamily };
}

/** The targets, per family, on the main section's distributions. */
function targets(distributions: FamilyDistribution[], coverage: Coverage | null, votesForShare: number): Target[] {
  const out: Target[] = [];
  const of = (family: string, metric: Metric) => distributions.find((d) => d.section === "main" && d.family === family && d.metric === metric)?.distribution ?? null;
  const votes = votesForShare.toLocaleString("en-US");
  for (const family of [...new Set(distributions.filter((d) => d.section === "main").map((d) => d.family))]) {
    const inSample = family === TUNING_FAMILY;
    const add = (name: string, metric: Metric, statistic: "median" | "p10", comparator: ">=" | "<=", threshold: number) => {
      const value = of(family, metric)?.[statistic] ?? null;
      out.push({ family, name, metric, statistic, comparator, threshold, value, met: value !== null && (comparator === ">=" ? value >= threshold : value <= threshold), inSample });
    };
    if (familyNamed(family).effect !== 0) {
      add(`bandit: share on the best variant after ${votes} votes, median`, "shareOnBest", "median", ">=", 0.9);
      add(`bandit: share on the best variant after ${votes} votes, 10th percentile`, "shareOnBest", "p10", ">=", 0.75);
      add("bandit: regret ÷ the fixed split's on the same deliveries, median", "regretRatio", "median", "<=", 0.5);
    } else {
      const value = of(family, "noPause")?.mean ?? null;
      out.push({
        family,
        name: "zero effect: seeds with no variant paused (bandit and loop-on arms)",
        metric: "noPause",
        statistic: "share of seeds",
        comparator: ">=",
        threshold: 0.95,
        value,
        met: value !== null && value >= 0.95,
        inSample,
      });
    }
    add("gate: not-helpful votes cut (expected), median", "gateCut", "median", ">=", 0.3);
    add("gate: helpful votes kept (expected), median", "gateKept", "median", ">=", 0.95);
    add("gate: helpful votes kept (expected), 10th percentile", "gateKept", "p10", ">=", 0.9);
  }
  if (coverage) {
    out.push({
      family: "all",
      name: `lift: 95% interval covers the true lift (${coverage.covered} of ${coverage.runs} runs); the Wilson 95% interval of that coverage contains 0.95`,
      metric: "coverage",
      statistic: "coverage interval",
      comparator: "contains",
      threshold: 0.95,
      value: coverage.rate,
      interval: coverage.interval,
      met: coverage.interval[0] <= 0.95 && 0.95 <= coverage.interval[1],
      inSample: false,
    });
  }
  return out;
}
