/** Rebuilds the rule index only when the active rule list changes (the loader returns the same array until then). */
import type { ActiveRule } from "../content/active-rules";
import { buildRuleIndex, type RuleIndex } from "./rule-index";

let last: { rules: ActiveRule[]; index: RuleIndex<ActiveRule> } | null = null;

/** The index for this exact rule list. */
export function indexRules(rules: ActiveRule[]): RuleIndex<ActiveRule> {
  if (last?.rules !== rules) last = { rules, index: buildRuleIndex(rules) };
  return last.index;
}
