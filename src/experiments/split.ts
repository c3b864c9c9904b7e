/**
 * Split assignment: deterministic by (learner, rule) and sticky when weights change, by weighted
 * rendezvous hashing — each variant scores −ln(u)/weight with u a stable hash of (learner, rule, variant),
 * and the lowest score wins. Changing one variant's weight moves only learners into or out of that variant.
 */
import { sha1Hex } from "../lib/sha1";

/** A stable number in (0, 1) for a string. */
export function hashToUnit(text: string): number {
  return (parseInt(sha1Hex(text).slice(0, 8), 16) + 1) / 4_294_967_297;
}

/** The learner's variant among the active ones (weight > 0, not paused), or null when none is. */
export function assignSplit(learnerId: string, ruleKey: string, variants: { key: string; weight: number }[], paused: Set<string>): { variant: string; policy: "split"; bucket: number } | null {
  let best: { variant: string; score: number } | null = null;
  for (const v of variants) {
    if (v.weight <= 0 || paused.has(v.key)) continue;
    const score = -Math.log(hashToUnit(`${learnerId}\u0000${ruleKey}\u0000${v.key}`)) / v.weight;
    if (!best || score < best.score) best = { variant: v.key, score };
  }
  return best ? { variant: best.variant, policy: "split", bucket: Number(hashToUnit(`${learnerId}\u0000${ruleKey}`).toFixed(6)) } : null;
}
