/**
 * Holdout membership: sticky per (learner, rule), so a held-out learner never receives the rule's nudge
 * however many times it fires for them, and independent of the variant hash, so holding out never skews
 * the split between variants.
 */
import { hashToUnit } from "./split";

/** True when this learner is in the rule's held-out share. */
export function isHeldOut(learnerId: string, ruleKey: string, share: number): boolean {
  return share > 0 && hashToUnit(`holdout\u0000${learnerId}\u0000${ruleKey}`) < share;
}
