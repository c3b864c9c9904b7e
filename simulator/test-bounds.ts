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
 */
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
}

export interface Bound extends BoundSpec {
  seedsPerFamily: number;
  /** The statistic's mean and standard deviation over the full run's seeds. */
  mean: number;
  sd: number;
  empirical: number;
  normal: number;
  bound: number;
}

/** Seeds per family the test runs. */
export const TEST_SEEDS = 2;

/**
 * The test's assertions. The bandit's share is pooled over both families with a best variant, at 1%: at this
 * scale about one seed in ten still favours the worse variant after 200 votes, and 1% is the lowest level at which
 * a bandit ignoring votes (share ≈ 0.5) still fails. Every other bound is at 0.1%.
 */
export const TEST_BOUNDS: BoundSpec[] = [
  { name: "bandit share on best", metric: "shareOnBest", families: ["steady", "reversed"], direction: ">=", level: 0.01 },
  { name: "bandit regret ratio", metric: "regretRatio", families: ["steady", "reversed"], direction: "<=", level: 0.001 },
  ...["steady", "reversed", "flat"].flatMap((family): BoundSpec[] => [
    { name: `${family} gate cut`, metric: "gateCut", families: [family], direction: ">=", level: 0.001 },
    { name: `${family} gate kept`, metric: "gateKept", families: [family], direction: ">=", level: 0.001 },
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

/** `spec`'s bound from the seeds of `section` (each family's seeds with the figure; non-finite ones are left out, as in the distributions). */
export function boundOf(spec: BoundSpec, seeds: SeedFigures[], section = "small", seedsPerFamily = TEST_SEEDS): Bound {
  const perFamily = spec.families.map((family) => {
    const values = seeds.filter((s) => s.section === section && s.family === family).map((s) => s[spec.metric]).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length < seedsPerFamily + 1) throw new Error(`${spec.name}: ${values.length} seeds of ${family} in section ${section}`);
    return values;
  });
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
  const z = Z[spec.level];
  if (z === undefined) throw new Error(`${spec.name}: no normal quantile for level ${spec.level} (known: ${Object.keys(Z).join(", ")})`);
  const normal = mean + (low ? -1 : 1) * z * sd;
  const bound = low ? Math.floor(Math.min(empirical, normal) * 100) / 100 : Math.ceil(Math.max(empirical, normal) * 100) / 100;
  return { ...spec, seedsPerFamily, mean, sd, empirical, normal, bound };
}

/** One line per bound, for the record (the test's comment quotes these). */
export function formatBounds(bounds: Bound[]): string {
  return bounds.map((b) => `${b.name.padEnd(22)} ${b.direction} ${b.bound.toFixed(2).padStart(5)}   (${b.families.join("+")}, mean of ${b.seedsPerFamily * b.families.length} runs: ` +
    `mean ${b.mean.toFixed(3)}, sd ${b.sd.toFixed(3)}; at ${b.level * 100}%: seed combinations ${b.empirical.toFixed(3)}, normal ${b.normal.toFixed(3)})`).join("\n");
}
