/**
 * The bounds tests/e2e/simulator.test.ts asserts, derived from a full run's `small` section (the test's own scale,
 * 20 seeds per family): `npx tsx scripts/simulator-test-bounds.ts` prints them from docs/simulation/latest-runs.csv.
 *
 * The test averages a figure over its own seeds — two per family (`ci0`, `ci1`), pooled over the families named —
 * and compares that mean with a bound. The bound is set where a healthy engine's mean would land beyond it with
 * probability `level`: the more lenient of (a) the `level` quantile of the means of every combination of the full
 * run's seeds the test could have drawn (two of the 20 per family) and (b) the same quantile under a normal
 * approximation (the seeds' mean and standard deviation), rounded outward to a whole hundredth. (a) follows the
 * seeds' real, often long, tails; (b) extrapolates beyond the few combinations (a) has in its last thousandth.
 *
 * Flat's gate figures are bounded given the population instead (`givenShare`): there they follow the population's
 * helpful share of votes, which the seed fixes before anything runs (populationShare), so a bound over every
 * population would be too strict for the test's seeds when they are among the least helpful and too lax when they
 * are among the most. The figure is fitted as a + b·share by least squares over the full run's seeds, and the
 * bound is the fit's prediction at the test's seeds' mean share, less the same two quantiles taken on the
 * residuals: (a) over the means of every choice of two of the 20 residuals, (b) normal, with the prediction's own
 * uncertainty (residual variance × (1/2 + 1/20 + leverage of the test's mean share)).
 */
import { drawPopulation, trueHelpfulRates } from "./population";
import { familyNamed } from "./families";
import { quantile, type SeedFigures } from "./summarize";

export interface BoundSpec {
  /** What the test calls it. */
  name: string;
  metric: "shareOnBest" | "regretRatio" | "gateCut" | "gateKept";
  families: string[];
  /** ">=": the test's mean must be at least the bound (lower is worse); "<=": at most. */
  direction: ">=" | "<=";
  /** The chance that a healthy engine's mean falls beyond the bound. */
  level: number;
  /** Bound given the population's helpful share of votes (one family only): see the top of this file. */
  givenShare?: boolean;
}

/** The fit behind a bound given the population's helpful share. */
export interface ShareFit {
  /** figure ≈ a + b·share over the full run's seeds. */
  a: number;
  b: number;
  r2: number;
  /** Standard deviation of the residuals (n − 2 degrees of freedom). */
  residualSd: number;
  /** The test's seeds' mean share, and the fit's figure there. */
  testShare: number;
  prediction: number;
  /** The bound over every population, as without the share (for comparison). */
  unconditional: number;
}

export interface Bound extends BoundSpec {
  seedsPerFamily: number;
  /** The statistic's mean and standard deviation over the full run's seeds. */
  mean: number;
  sd: number;
  empirical: number;
  normal: number;
  bound: number;
  /** For a bound given the population's share: the fit (empirical and normal are then the conditional quantiles). */
  fit?: ShareFit;
}

/** The population's helpful share of a (family, seed) pair. */
export type ShareOf = (family: string, seed: string) => number;

/**
 * The helpful share of votes of `family`'s population for `seed` (votes-weighted, as trueHelpfulRates; the mean of
 * the two variants'): fixed by (family, seed, learners), known before any run. `start` only places study hours.
 */
export function populationShare(family: string, seed: string, learners: number, start: Date): number {
  const rates = trueHelpfulRates(drawPopulation(familyNamed(family), seed, learners, start));
  return (rates.A + rates.B) / 2;
}

/** Seeds per family the test runs, and their names (tests/e2e/simulator.test.ts: seedPrefix "ci"). */
export const TEST_SEEDS = 2;
export const TEST_SEED_NAMES = Array.from({ length: TEST_SEEDS }, (_, i) => `ci${i}`);

/**
 * The test's assertions. The bandit's share is pooled over both families with a best variant, at 1%: at this
 * scale about one seed in ten still favours the worse variant after 200 votes, and 1% is the lowest level at which
 * a bandit ignoring votes (share ≈ 0.5) still fails. Every other bound is at 0.1%. Flat's gate bounds are given
 * the population's helpful share (steady's and reversed's figures do not follow it: R² < 0.04 on 2026-12-02).
 */
export const TEST_BOUNDS: BoundSpec[] = [
  { name: "bandit share on best", metric: "shareOnBest", families: ["steady", "reversed"], direction: ">=", level: 0.01 },
  { name: "bandit regret ratio", metric: "regretRatio", families: ["steady", "reversed"], direction: "<=", level: 0.001 },
  ...["steady", "reversed", "flat"].flatMap((family): BoundSpec[] => [
    { name: `${family} gate cut`, metric: "gateCut", families: [family], direction: ">=", level: 0.001, ...(family === "flat" && { givenShare: true }) },
    { name: `${family} gate kept`, metric: "gateKept", families: [family], direction: ">=", level: 0.001, ...(family === "flat" && { givenShare: true }) },
  ]),
];

/** The standard normal's upper quantiles at the levels the bounds use. */
const Z: Record<number, number> = { 0.01: 2.3263, 0.001: 3.0902 };

/** Means of every choice of `k` of `values` (order ignored). */
function meansOfChoices(values: number[], k: number): number[] {
  const out: number[] = [];
  const walk = (start: number, left: number, sum: number) => {
    if (left === 0) return void out.push(sum / k);
    for (let i = start; i <= values.length - left; i++) walk(i + 1, left - 1, sum + values[i]);
  };
  walk(0, k, 0);
  return out;
}

const variance = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/** A family's seeds of `section` with the figure (non-finite ones are left out, as in the distributions). */
function seedsWith(spec: BoundSpec, seeds: SeedFigures[], family: string, section: string, seedsPerFamily: number): Array<{ seed: string; value: number }> {
  const out = seeds
    .filter((s) => s.section === section && s.family === family)
    .map((s) => ({ seed: s.seed, value: s[spec.metric] }))
    .filter((s): s is { seed: string; value: number } => s.value !== null && Number.isFinite(s.value));
  if (out.length < seedsPerFamily + 1) throw new Error(`${spec.name}: ${out.length} seeds of ${family} in section ${section}`);
  return out;
}

const normalQuantile = (spec: BoundSpec) => {
  const z = Z[spec.level];
  if (z === undefined) throw new Error(`${spec.name}: no normal quantile for level ${spec.level} (known: ${Object.keys(Z).join(", ")})`);
  return z;
};

const rounded = (low: boolean, empirical: number, normal: number) => (low ? Math.floor(Math.min(empirical, normal) * 100) / 100 : Math.ceil(Math.max(empirical, normal) * 100) / 100);

/**
 * `spec`'s bound from the seeds of `section`. A spec `givenShare` needs `shareOf` (the share of any of the full
 * run's seeds and of `testSeeds`, the test's own).
 */
export function boundOf(spec: BoundSpec, seeds: SeedFigures[], shareOf?: ShareOf, testSeeds = TEST_SEED_NAMES, section = "small"): Bound {
  const seedsPerFamily = testSeeds.length;
  if (!spec.givenShare) return unconditionalBound(spec, seeds, section, seedsPerFamily);
  if (!shareOf) throw new Error(`${spec.name}: bound given the population's share, but no share to go by`);
  if (spec.families.length !== 1) throw new Error(`${spec.name}: a bound given the population's share takes one family`);
  const unconditional = unconditionalBound(spec, seeds, section, seedsPerFamily);
  const [family] = spec.families;
  const points = seedsWith(spec, seeds, family, section, seedsPerFamily).map((s) => ({ x: shareOf(family, s.seed), y: s.value }));
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n,
    my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0),
    syy = points.reduce((s, p) => s + (p.y - my) ** 2, 0);
  if (!(sxx > 0)) throw new Error(`${spec.name}: the seeds' shares do not vary`);
  const b = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx,
    a = my - b * mx;
  const residuals = points.map((p) => p.y - a - b * p.x);
  const rss = residuals.reduce((s, r) => s + r * r, 0);
  const residualSd = Math.sqrt(rss / (n - 2));
  const testShare = testSeeds.reduce((s, seed) => s + shareOf(family, seed), 0) / seedsPerFamily;
  const prediction = a + b * testShare;
  const low = spec.direction === ">=";
  const empirical = prediction + quantile(meansOfChoices(residuals, seedsPerFamily), low ? spec.level : 1 - spec.level);
  const sd = residualSd * Math.sqrt(1 / seedsPerFamily + 1 / n + (testShare - mx) ** 2 / sxx);
  const normal = prediction + (low ? -1 : 1) * normalQuantile(spec) * sd;
  return {
    ...unconditional,
    empirical,
    normal,
    bound: rounded(low, empirical, normal),
    fit: { a, b, r2: 1 - rss / syy, residualSd, testShare, prediction, unconditional: unconditional.bound },
  };
}

/** The bound over every population: see the top of this file. */
function unconditionalBound(spec: BoundSpec, seeds: SeedFigures[], section: string, seedsPerFamily: number): Bound {
  const perFamily = spec.families.map((family) => seedsWith(spec, seeds, family, section, seedsPerFamily).map((s) => s.value));
  // The test's statistic is the mean over families of each family's mean of its seeds: combine the families' choices.
  let combined = [0];
  for (const values of perFamily) {
    const means = meansOfChoices(values, seedsPerFamily);
    combined = combined.flatMap((sum) => means.map((m) => sum + m / perFamily.length));
  }
  const mean = perFamily.reduce((s, v) => s + v.reduce((a, b) => a + b, 0) / v.length, 0) / perFamily.length;
  const sd = Math.sqrt(perFamily.reduce((s, v) => s + variance(v) / seedsPerFamily, 0)) / perFamily.length;
  const low = spec.direction === ">=";
  const empirical = quantile(combined, low ? spec.level : 1 - spec.level);
  const normal = mean + (low ? -1 : 1) * normalQuantile(spec) * sd;
  return { ...spec, seedsPerFamily, mean, sd, empirical, normal, bound: rounded(low, empirical, normal) };
}

/** One line per bound, for the record (the test's comment quotes these). */
export function formatBounds(bounds: Bound[]): string {
  return bounds
    .map((b) => {
      const line =
        `${b.name.padEnd(22)} ${b.direction} ${b.bound.toFixed(2).padStart(5)}   (${b.families.join("+")}, mean of ${b.seedsPerFamily * b.families.length} runs: ` +
        `mean ${b.mean.toFixed(3)}, sd ${b.sd.toFixed(3)}`;
      if (!b.fit) return `${line}; at ${b.level * 100}%: seed combinations ${b.empirical.toFixed(3)}, normal ${b.normal.toFixed(3)})`;
      const f = b.fit;
      return (
        `${line}; given the population's helpful share: fit ${f.a.toFixed(3)} ${f.b < 0 ? "−" : "+"} ${Math.abs(f.b).toFixed(3)}·share, R² ${f.r2.toFixed(2)}, ` +
        `residual sd ${f.residualSd.toFixed(3)}; the test's share ${f.testShare.toFixed(3)}, predicted ${f.prediction.toFixed(3)}; at ${b.level * 100}%: ` +
        `residual combinations ${b.empirical.toFixed(3)}, normal ${b.normal.toFixed(3)}; over every population ${f.unconditional.toFixed(2)})`
      );
    })
    .join("\n");
}
