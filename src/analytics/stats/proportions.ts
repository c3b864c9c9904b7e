/** Comparing two proportions the way an analyst would check it by hand: a z-test and a Newcombe interval. */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { wilsonInterval } from "./wilson";

export interface ZTest {
  /** Difference treatment − control. */
  difference: number;
  z: number;
  /** Two-sided p-value. */
  pValue: number;
}

/** Pooled two-proportion z-test of x1/n1 (treatment) against x2/n2 (control); null when either side is empty. */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTest | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1,
    p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { difference: p1 - p2, z: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  return { difference: p1 - p2, z, pValue: 2 * (1 - normalCdf(Math.abs(z), 0, 1)) };
}

/**
 * Newcombe's hybrid score interval (method 10) for p1 − p2, built from the two Wilson intervals: keeps its
 * coverage at small counts and near 0 or 1, where the Wald interval does not.
 */
export function newcombeInterval(x1: number, n1: number, x2: number, n2: number, z = 1.96): [number, number] | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1,
    p2 = x2 / n2;
  const [l1, u1] = wilsonInterval(x1, n1, z);
  const [l2, u2] = wilsonInterval(x2, n2, z);
  const d = p1 - p2;
  return [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)];
}
