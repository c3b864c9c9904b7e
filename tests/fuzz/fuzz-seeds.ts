/**
 * Valid bodies per write endpoint (keyed as the OpenAPI document names them: `post /v1/rules`), the starting
 * points the fuzzer mutates so that hostile values land deep inside otherwise acceptable requests, where the
 * expensive code runs. An endpoint without a seed (a new one) is fuzzed from `{}` and random JSON, so it is
 * still covered the day it is added. `n` makes ids fresh per case (events are not all duplicates).
 */
import { canvasEnvelope, canvasQuizSubmitted, moodleQuizSubmitted, openedxProblemSubmitted } from "../factories/standards";

/** The resources the fuzz engine creates before each sweep, which path parameters and bodies refer to. */
export const FIXTURES = {
  learner: "fz-learner",
  otherLearner: "fz-other",
  course: "fz-101",
  template: "fz-tpl",
  rule: "fz-rule",
  staticSegment: "fz-static",
  attributeSegment: "fz-attr",
  sqlSegment: "fz-sql",
  mapping: "fz.segment.quiz",
  event: "fz-seed-event",
} as const;

export interface SeedState {
  /** A message of FIXTURES.learner (a goal prompt) and one of FIXTURES.otherLearner. */
  messageId: string;
  otherMessageId: string;
  /** An API key the fuzzer may revoke (never one it authenticates with). */
  sacrificialKeyId: string;
}

type Seed = (n: string, state: SeedState) => unknown;

const event = (n: string, extra: Record<string, unknown> = {}) => ({
  id: `fz-${n}`,
  type: "quiz.submitted",
  learnerId: FIXTURES.learner,
  courseId: FIXTURES.course,
  moduleId: "week-1",
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  properties: { score: 0.4, passed: false },
  learner: { name: "Ada Lovelace", locale: "en", timezone: "Europe/London", attributes: { track: "paid" } },
  ...extra,
});
const variant = (key: string) => ({ key, title: "Hi {{learner.firstName}}", body: "Your score: {{event.properties.score}}", cta: { label: "Retry", url: "/courses/{{course.id}}" }, weight: 1 });
const template = (key: string) => ({ key, name: "Fuzz", kind: "nudge", locale: "en", variants: [variant("A"), variant("B")] });
const where = { all: [{ field: "event.properties.passed", op: "eq", value: false }, { not: { field: "learner.attributes.track", op: "in", value: ["free", 1, true] } }] };
const rule = (key: string) => ({
  key,
  name: "Fuzz rule",
  enabled: true,
  trigger: { eventType: "quiz.submitted", courseId: FIXTURES.course, where },
  templateKey: FIXTURES.template,
  delaySeconds: 0,
  priority: 10,
  cooldownHours: 24,
  maxPerLearner: 3,
  experiment: { mode: "split" },
});
const track = (n: string) => ({
  type: "track",
  event: "Quiz Submitted",
  userId: FIXTURES.learner,
  messageId: `fz-seg-${n}`,
  timestamp: new Date().toISOString(),
  properties: { courseId: FIXTURES.course, score: 0.5, passed: true },
  context: { traits: { name: "Ada" } },
});
const uuid = (n: string) => {
  const hex = Buffer.from(n).toString("hex").padEnd(32, "0").slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** Valid bodies by `method path`; several per endpoint where its shapes differ. */
export const SEEDS: Record<string, Seed[]> = {
  "post /v1/events": [(n) => event(n), (n) => ({ events: [event(`${n}-a`), event(`${n}-b`, { type: "module.completed", properties: {} })], sentAt: new Date().toISOString() })],
  "post /v1/batch": [(n) => ({ batch: [track(`${n}-1`), { ...track(`${n}-2`), type: "identify", traits: { name: "Ada", track: "paid" } }], sentAt: new Date().toISOString(), context: {} })],
  "post /v1/track": [(n) => track(n)],
  "post /v1/identify": [(n) => ({ userId: FIXTURES.learner, messageId: `fz-id-${n}`, traits: { name: "Ada", email: "ada@example.org" } })],
  "post /v1/page": [(n) => ({ userId: FIXTURES.learner, messageId: `fz-pg-${n}`, name: "Lesson 1", properties: { courseId: FIXTURES.course } })],
  "post /v1/screen": [(n) => ({ userId: FIXTURES.learner, messageId: `fz-sc-${n}`, name: "Quiz", properties: {} })],
  "post /v1/group": [(n) => ({ userId: FIXTURES.learner, messageId: `fz-gr-${n}`, groupId: "cohort-1", traits: {} })],
  "post /v1/alias": [(n) => ({ userId: FIXTURES.learner, previousId: `anon-${n}`, messageId: `fz-al-${n}` })],
  "post /xapi/statements": [
    (n) => ({ ...openedxProblemSubmitted(FIXTURES.learner, "course-v1:fz+101+2026", 3, 4), id: uuid(n) }),
    (n) => [{ ...moodleQuizSubmitted(FIXTURES.learner, 101, 0.4, false), id: uuid(`${n}m`) }],
  ],
  "put /xapi/statements": [(n) => ({ ...openedxProblemSubmitted(FIXTURES.learner, "course-v1:fz+101+2026", 1, 4), id: uuid(n) })],
  "post /caliper": [(n) => canvasEnvelope([{ ...canvasQuizSubmitted(FIXTURES.learner, FIXTURES.course, "q1"), id: `urn:uuid:${uuid(n)}` }])],
  "put /v1/mappings": [() => ({ mappings: [{ key: FIXTURES.mapping, source: "segment", match: { call: "track", event: "Quiz Submitted" }, eventType: "quiz.submitted" }] })],
  "put /v1/mappings/{key}": [
    () => ({ source: "xapi", match: { verb: "http://adlnet.gov/expapi/verbs/attempted", where: [{ path: "result.success", equals: true }] }, eventType: "quiz.submitted", enabled: true }),
  ],
  "post /v1/learner-tokens": [() => ({ learnerId: FIXTURES.learner, ttlSeconds: 600 })],
  "post /v1/templates": [(n) => template(`fz-t-${n}`.slice(0, 60).toLowerCase())],
  "put /v1/templates/{key}": [() => template(FIXTURES.template)],
  "post /v1/templates/preview": [
    () => ({
      learnerId: FIXTURES.learner,
      courseId: FIXTURES.course,
      source: { title: "Hi {{learner.firstName}}", body: "{{#if goal}}{{goal.text}}{{else}}no goal{{/if}} {{formatDate event.occurredAt 'long'}}" },
    }),
    () => ({ templateKey: FIXTURES.template, version: 1, variant: "A", context: { learner: { name: "Ada", attributes: { list: [1, 2, 3] } } } }),
  ],
  "post /v1/templates/{key}/publish": [() => ({ version: 1 })],
  "post /v1/templates/{key}/variants/{variant}/pause": [() => ({ note: "fuzz" })],
  "post /v1/rules": [(n) => rule(`fz-r-${n}`.slice(0, 60).toLowerCase())],
  "put /v1/rules/{key}": [
    () => {
      const { key: _key, ...body } = rule(FIXTURES.rule);
      return body;
    },
  ],
  "post /v1/rules/{key}/test-match": [() => ({ eventId: FIXTURES.event })],
  "post /v1/segments": [
    (n) => ({ key: `fz-s-${n}`.slice(0, 60).toLowerCase(), name: "Fuzz", type: "static" }),
    (n) => ({
      key: `fz-a-${n}`.slice(0, 60).toLowerCase(),
      name: "Fuzz",
      type: "attributes",
      conditions: { any: [{ field: "learner.attributes.track", op: "eq", value: "paid" }] },
      refreshIntervalMinutes: 60,
    }),
    (n) => ({
      key: `fz-q-${n}`.slice(0, 60).toLowerCase(),
      name: "Fuzz",
      type: "sql",
      sql: "SELECT e.learner_id FROM events e WHERE e.type = 'quiz.submitted' GROUP BY e.learner_id HAVING count(*) > 1",
    }),
  ],
  "post /v1/segments/count": [() => ({ conditions: { all: [{ field: "learner.attributes.track", op: "eq", value: "paid" }] } })],
  "put /v1/segments/{key}": [() => ({ name: "Fuzz renamed", refreshIntervalMinutes: 30 })],
  "put /v1/segments/{key}/members": [() => ({ learnerIds: [FIXTURES.learner, "fz-m-1", "fz-m-2"], mode: "add" })],
  "put /v1/insights": [
    () => [{ learnerId: FIXTURES.learner, courseId: FIXTURES.course, key: "risk", value: 0.7, score: 0.9, metadata: { model: "v1" } }],
    () => ({ insights: [{ learnerId: FIXTURES.learner, key: "tip", value: "<b>Review week 2</b>", metadata: { html: true } }] }),
  ],
  "put /v1/learners/{learnerId}/preferences": [() => ({ snoozeHours: 2, optedOutKinds: ["goal_reminder"] }), () => ({ snoozedUntil: null })],
  "post /v1/messages/{messageId}/feedback": [
    () => ({ learnerId: FIXTURES.learner, type: "seen" }),
    () => ({ learnerId: FIXTURES.learner, type: "response", value: "Pass the final exam" }),
    () => ({ learnerId: FIXTURES.learner, type: "helpful" }),
  ],
  "put /v1/policy": [
    () => ({
      maxPerDay: 3,
      maxPerWeek: 10,
      minGapMinutes: 60,
      quietHours: { start: "22:00", end: "08:00" },
      adaptive: { dismissStreak: 3, backoffHours: 72 },
      autoPause: { minVotes: 30, minHelpfulRate: 0.3 },
    }),
  ],
  "post /v1/api-keys": [(n) => ({ name: `fuzz ${n}`, role: "analyst" })],
  "post /v1/operations/failures/retry": [(n) => ({ eventIds: [`fz-${n}`], messageIds: [uuid(n)] })],
  "post /v1/demo/learner": [() => ({})],
  "post /v1/demo/events": [() => ({ learnerId: "demo-0123456789", type: "quiz.submitted" })],
};

/** The seeds of an operation; `{}` for one the table does not know. */
export function seedsFor(operationKey: string): Seed[] {
  return SEEDS[operationKey] ?? [() => ({})];
}

/** Valid values of path parameters, by name (and, for `key`, by the collection the path names). */
export function validParams(path: string, name: string, state: SeedState): string[] {
  switch (name) {
    case "learnerId":
      return [FIXTURES.learner, FIXTURES.otherLearner];
    case "messageId":
      return [state.messageId, state.otherMessageId];
    case "id":
      return [state.sacrificialKeyId];
    case "variant":
      return ["A", "B"];
    case "ruleKey":
      return [FIXTURES.rule];
    case "key":
      if (path.startsWith("/v1/templates")) return [FIXTURES.template];
      if (path.startsWith("/v1/rules")) return [FIXTURES.rule];
      if (path.startsWith("/v1/segments")) return [FIXTURES.staticSegment, FIXTURES.attributeSegment, FIXTURES.sqlSegment];
      if (path.startsWith("/v1/mappings")) return [FIXTURES.mapping, "xapi.adl.completed"];
      return [FIXTURES.template];
    default:
      return ["fz"];
  }
}

/** Valid query strings by operation (the PUT of xAPI needs its statementId). */
export function validQuery(operationKey: string, body: unknown): string {
  if (operationKey === "put /xapi/statements") {
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== "string") return "";
    try {
      return `statementId=${encodeURIComponent(id)}`;
    } catch {
      return `statementId=${escape(id)}`; // a lone surrogate (a mutated id) has no UTF-8: sent as %uD800
    }
  }
  return "";
}
