/** The rule index, rebuilt only when rules change: it lives on the context's cache under the rules' revision. */
import { loadActiveRules, type ActiveRule, type ContentContext } from "../content/active-rules";
import { cacheArea } from "../db/content-cache";
import { buildRuleIndex, type RuleIndex } from "./rule-index";

const RULE_INDEX = cacheArea<RuleIndex<ActiveRule>>({ name: "rule-index", kind: "rules" });

/** The index of the current active rules, built once per rules revision (never per event). */
export async function loadRuleIndex(ctx: ContentContext): Promise<RuleIndex<ActiveRule>> {
  // The rules are read inside the loader, after the index's revision: never older than the revision it is kept under.
  return ctx.cache.get(RULE_INDEX, "all", async () => buildRuleIndex(await loadActiveRules(ctx)));
}
