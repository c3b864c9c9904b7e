/** Pure matching: which candidate rules' conditions and segments pass for this context. */
import type { MatchContext } from "./match-context";
import { candidateRules, type MatchableRule, type RuleIndex } from "./rule-index";

export interface MatchResult<R> {
  /** Rules whose conditions and segment pass, highest priority first. */
  matched: R[];
  /** Rules whose conditions pass but whose segment excludes the learner (recorded as `segment`). */
  segmentMisses: R[];
}

/** Evaluates the candidates for the context's event; `isMember` answers segment membership. */
export function matchEvent<R extends MatchableRule>(index: RuleIndex<R>, ctx: MatchContext, isMember: (segmentKey: string) => boolean = () => true): MatchResult<R> {
  const event = ctx.event as { type?: string; courseId?: string | null } | null;
  const matched: R[] = [];
  const segmentMisses: R[] = [];
  for (const rule of candidateRules(index, String(event?.type ?? ""), event?.courseId ?? null)) {
    const condition = index.compiled.get(rule);
    if (condition && !condition(ctx)) continue;
    if (rule.segmentKey && !isMember(rule.segmentKey)) segmentMisses.push(rule);
    else matched.push(rule);
  }
  return { matched, segmentMisses };
}
