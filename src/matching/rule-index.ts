/**
 * The rule index: candidate rules for an event are found by (event type, course) — the rules for that
 * course plus the all-courses ones — never by scanning every rule. Conditions are compiled once here.
 */
import { compileCondition, type CompiledCondition } from "./compile-condition";
import type { Condition } from "./conditions.schema";

export interface MatchableRule {
  key: string;
  priority: number;
  eventType: string | null;
  courseId: string | null;
  segmentKey: string | null;
  where: Condition | null;
}

export interface RuleIndex<R extends MatchableRule> {
  byType: Map<string, { byCourse: Map<string, R[]>; anyCourse: R[] }>;
  compiled: Map<R, CompiledCondition | null>;
}

/** Sorted by priority (desc) then key, so candidates come out in decision order. */
export function byPriority(a: MatchableRule, b: MatchableRule): number {
  return b.priority - a.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Builds the index over event-triggered rules (rules without an eventType are ignored). */
export function buildRuleIndex<R extends MatchableRule>(rules: readonly R[]): RuleIndex<R> {
  const byType: RuleIndex<R>["byType"] = new Map();
  const compiled = new Map<R, CompiledCondition | null>();
  for (const rule of [...rules].sort(byPriority)) {
    if (!rule.eventType) continue;
    let bucket = byType.get(rule.eventType);
    if (!bucket) byType.set(rule.eventType, (bucket = { byCourse: new Map(), anyCourse: [] }));
    if (rule.courseId === null) bucket.anyCourse.push(rule);
    else {
      const list = bucket.byCourse.get(rule.courseId) ?? [];
      list.push(rule);
      bucket.byCourse.set(rule.courseId, list);
    }
    compiled.set(rule, rule.where ? compileCondition(rule.where) : null);
  }
  return { byType, compiled };
}

/** The rules that could fire for this event type and course, in decision order. */
export function candidateRules<R extends MatchableRule>(index: RuleIndex<R>, eventType: string, courseId: string | null): R[] {
  const bucket = index.byType.get(eventType);
  if (!bucket) return [];
  const forCourse = courseId !== null ? (bucket.byCourse.get(courseId) ?? []) : [];
  if (forCourse.length === 0) return bucket.anyCourse;
  if (bucket.anyCourse.length === 0) return forCourse;
  return [...forCourse, ...bucket.anyCourse].sort(byPriority);
}
