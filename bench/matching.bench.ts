/**
 * Rule matching: events/s through the matcher (rule index + compiled conditions) with 1,000 active rules
 * over 100 courses and 10 event types, beside json-rules-engine evaluating the same conditions for the same
 * candidate rules (one Engine per (event type, course) bucket, so it is spared the full scan too).
 */
import { Engine } from "json-rules-engine";
import { buildRuleIndex, candidateRules, type MatchableRule } from "../src/matching/rule-index";
import { matchEvent } from "../src/matching/match-event";
import type { Condition } from "../src/matching/conditions.schema";
import type { MatchContext } from "../src/matching/match-context";

const RULES = 1_000;
const COURSES = 100;
const TYPES = Array.from({ length: 10 }, (_, i) => `type.t${i}`);

function rng(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
}

function makeRules(random: () => number): Array<MatchableRule & { where: Condition }> {
  return Array.from({ length: RULES }, (_, i) => {
    const leaves: Condition[] = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, j) =>
      j % 2 === 0
        ? { field: "event.properties.score", op: random() < 0.5 ? "lt" : "gte", value: Math.round(random() * 100) / 100 }
        : { field: "learner.attributes.track", op: "in", value: random() < 0.5 ? ["paid"] : ["paid", "free"] },
    );
    return { key: `r${i}`, priority: i % 7, eventType: TYPES[i % TYPES.length], courseId: random() < 0.9 ? `c${i % COURSES}` : null, segmentKey: null, where: { all: leaves } };
  });
}

function makeEvents(n: number, random: () => number): MatchContext[] {
  return Array.from({ length: n }, () => ({
    event: { type: TYPES[Math.floor(random() * TYPES.length)], courseId: `c${Math.floor(random() * COURSES)}`, properties: { score: random() } },
    learner: { attributes: { track: random() < 0.5 ? "paid" : "free" } },
    goal: null,
    assessments: null,
    insights: null,
    state: null,
  }));
}

const OPS: Record<string, string> = {
  eq: "equal",
  ne: "notEqual",
  lt: "lessThan",
  lte: "lessThanInclusive",
  gt: "greaterThan",
  gte: "greaterThanInclusive",
  in: "in",
  nin: "notIn",
  contains: "contains",
};

function toJre(c: Condition): Record<string, unknown> {
  if ("all" in c) return { all: c.all.map(toJre) };
  if ("any" in c) return { any: c.any.map(toJre) };
  if ("not" in c) return { not: toJre(c.not) };
  const [root, ...path] = c.field.split(".");
  return { fact: root, path: `$.${path.join(".")}`, operator: OPS[c.op], value: c.value };
}

/** Runs the matching benchmark and returns its figures. */
export async function runMatchingBench(): Promise<Record<string, number | string>> {
  const random = rng(42);
  const rules = makeRules(random);
  const events = makeEvents(200_000, random);
  const index = buildRuleIndex(rules);

  let matched = 0;
  const started = process.hrtime.bigint();
  for (const ctx of events) matched += matchEvent(index, ctx).matched.length;
  const ours = events.length / (Number(process.hrtime.bigint() - started) / 1e9);

  // json-rules-engine: one engine per bucket holding the same candidate rules, run on a slice of the events.
  const engines = new Map<string, Engine>();
  const engineFor = (type: string, course: string) => {
    const key = `${type}|${course}`;
    let engine = engines.get(key);
    if (!engine) {
      engine = new Engine([], { allowUndefinedFacts: true });
      for (const rule of candidateRules(index, type, course)) engine.addRule({ conditions: toJre(rule.where!) as never, event: { type: rule.key }, priority: rule.priority + 1 });
      engines.set(key, engine);
    }
    return engine;
  };
  const slice = events.slice(0, 10_000);
  for (const ctx of slice.slice(0, 2_000)) await engineFor(String(ctx.event!.type), String(ctx.event!.courseId)).run({ event: ctx.event, learner: ctx.learner }); // warm up
  let jreMatched = 0;
  const jreStarted = process.hrtime.bigint();
  for (const ctx of slice) jreMatched += (await engineFor(String(ctx.event!.type), String(ctx.event!.courseId)).run({ event: ctx.event, learner: ctx.learner })).events.length;
  const theirs = slice.length / (Number(process.hrtime.bigint() - jreStarted) / 1e9);
  const oursOnSlice = slice.reduce((n, ctx) => n + matchEvent(index, ctx).matched.length, 0);

  const figures = {
    rules: RULES,
    courses: COURSES,
    "matcher events/s (1 core)": Math.round(ours),
    "json-rules-engine events/s": Math.round(theirs),
    ratio: Number((ours / theirs).toFixed(1)),
    "same matches on the slice": oursOnSlice === jreMatched ? "yes" : `no (${oursOnSlice} vs ${jreMatched})`,
    "matches (200k events)": matched,
    targets: "≥ 200,000 events/s and ≥ 20× json-rules-engine",
  };
  console.table(figures);
  return figures;
}

if (require.main === module) {
  runMatchingBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
