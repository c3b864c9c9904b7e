/** Event factories with overrides: `buildEvent({ type: "quiz.submitted" })`. */
import { randomUUID } from "node:crypto";
import type { NormalizedEvent } from "../../src/ingest/parse-events";

export interface EventInput {
  id: string;
  type: string;
  learnerId: string;
  courseId?: string;
  moduleId?: string;
  occurredAt: string;
  properties?: Record<string, unknown>;
  learner?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A valid `module.started` event for a fresh learner, unless overridden. */
export function buildEvent(overrides: Partial<EventInput> = {}): EventInput {
  return {
    id: `evt-${randomUUID()}`,
    type: "module.started",
    learnerId: "L1",
    courseId: "ml-101",
    moduleId: "week-1",
    occurredAt: new Date().toISOString(),
    properties: {},
    ...overrides,
  };
}

/** `n` valid events with distinct ids. */
export function buildEvents(n: number, overrides: Partial<EventInput> = {}): EventInput[] {
  return Array.from({ length: n }, (_, i) => buildEvent({ learnerId: `L${i % 10}`, ...overrides }));
}

let normalizedMade = 0;
/**
 * `n` events as the group commit receives them from the xAPI route: each with its original's bytes (a minimal
 * statement), ids `${prefix}-NNNNNN` unique in the process, learners cycling over `learners`.
 */
export function normalizedStatements(prefix: string, n: number, options: { courseId?: string; learners?: number } = {}): NormalizedEvent[] {
  return Array.from({ length: n }, () => {
    const id = `${prefix}-${String(normalizedMade++).padStart(6, "0")}`;
    const learnerId = `L-${normalizedMade % (options.learners ?? 7)}`;
    const body = Buffer.from(JSON.stringify({ id, actor: { account: { name: learnerId } }, verb: { id: "http://adlnet.gov/expapi/verbs/completed" } }));
    return {
      id,
      type: "video.completed",
      learnerId,
      courseId: options.courseId ?? "prep-101",
      moduleId: null,
      occurredAt: new Date(),
      sentAt: null,
      properties: { source: "xapi" },
      learner: null,
      source: { format: "xapi", mappingKey: null, kind: { verb: "http://adlnet.gov/expapi/verbs/completed" }, body: null, bodyBytes: body },
    };
  });
}
