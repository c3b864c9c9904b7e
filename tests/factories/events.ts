/** Event factories with overrides: `buildEvent({ type: "quiz.submitted" })`. */
import { randomUUID } from "node:crypto";

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
