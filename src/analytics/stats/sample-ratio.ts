/**
 * Sample-ratio mismatch: does the traffic each variant got match what the assignment meant to give it? A
 * chi-square goodness-of-fit test; at p < 0.001 the split is broken (a bug, a bot, a lost log), and every
 * other figure of the experiment is suspect.
 */
import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";

export const SRM_ALPHA = 0.001;

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  flagged: boolean;
}

/** `expected` are expected counts (same total as observed); null when fewer than two arms have expectation. */
export function sampleRatioMismatch(observed: number[], expected: number[]): SampleRatioCheck | null {
  const arms = observed.map((o, i) => ({ o, e: expected[i] })).filter((a) => a.e > 0);
  if (arms.length < 2) return null;
  const chiSquare = arms.reduce((sum, a) => sum + (a.o - a.e) ** 2 / a.e, 0);
  const degreesOfFreedom = arms.length - 1;
  const pValue = 1 - chisquareCdf(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, flagged: pValue < SRM_ALPHA };
}
