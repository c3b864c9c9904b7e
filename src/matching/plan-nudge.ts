/**
 * The decision "which one nudge, if any, does this event earn?" as a pure function: walk the matched
 * rules from highest priority, skip those the throttle or experiment refuses (recording why), take the
 * first that may be sent, and record every rule below it as `lower_priority`.
 */

export interface PlannableRule {
  key: string;
  priority: number;
}

/** What the caller learned about one rule: sendable (at `dueAt`), or refused with a reason and numbers. */
export type RuleVerdict<P> =
  { type: "send"; dueAt: Date; payload: P; deferral?: { reason: string; details: Record<string, unknown> } } | { type: "skip"; reason: string; details: Record<string, unknown> };

export interface NudgePlan<R, P> {
  winner: { rule: R; dueAt: Date; payload: P; deferral?: { reason: string; details: Record<string, unknown> } } | null;
  skipped: Array<{ rule: R; reason: string; details: Record<string, unknown> }>;
}

/** Rules must come sorted by priority (desc), ties by key; `judge` is asked in that order until one can be sent. */
export async function planNudge<R extends PlannableRule, P>(rules: R[], judge: (rule: R) => Promise<RuleVerdict<P>>): Promise<NudgePlan<R, P>> {
  const skipped: NudgePlan<R, P>["skipped"] = [];
  for (let i = 0; i < rules.length; i++) {
    const verdict = await judge(rules[i]);
    if (verdict.type === "skip") {
      skipped.push({ rule: rules[i], reason: verdict.reason, details: verdict.details });
      continue;
    }
    for (const lower of rules.slice(i + 1)) {
      skipped.push({ rule: lower, reason: "lower_priority", details: { winner: rules[i].key, winnerPriority: rules[i].priority, priority: lower.priority } });
    }
    return { winner: { rule: rules[i], dueAt: verdict.dueAt, payload: verdict.payload, deferral: verdict.deferral }, skipped };
  }
  return { winner: null, skipped };
}
