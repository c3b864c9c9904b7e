/** Folds a batch into one row per learner and per (learner, course), in a stable order, for bulk upserts. */
import type { NormalizedEvent } from "./parse-events";

export interface MergedLearner {
  id: string;
  name?: string | null;
  locale?: string | null;
  timezone?: string | null;
  attributes: Record<string, unknown>;
}

export interface CourseActivity {
  learnerId: string;
  courseId: string;
  firstAt: Date;
  lastAt: Date;
  count: number;
  counts: Record<string, number>;
}

/** One row per learner; later events' profile fields win, attributes merge. Sorted by id. */
export function mergeLearnerProfiles(events: NormalizedEvent[]): MergedLearner[] {
  const byId = new Map<string, MergedLearner>();
  const chronological = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (const e of chronological) {
    const merged = byId.get(e.learnerId) ?? { id: e.learnerId, attributes: {} };
    const p = e.learner;
    if (p) {
      if (p.name !== undefined) merged.name = p.name;
      if (p.locale !== undefined) merged.locale = p.locale;
      if (p.timezone !== undefined) merged.timezone = p.timezone;
      if (p.attributes) Object.assign(merged.attributes, p.attributes);
    }
    byId.set(e.learnerId, merged);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** One row per (learner, course) with counts per event type. Events without a course are skipped. */
export function summarizeCourseActivity(events: NormalizedEvent[]): CourseActivity[] {
  const byKey = new Map<string, CourseActivity>();
  for (const e of events) {
    if (!e.courseId) continue;
    const key = `${e.learnerId}\u0000${e.courseId}`;
    const row = byKey.get(key) ?? { learnerId: e.learnerId, courseId: e.courseId, firstAt: e.occurredAt, lastAt: e.occurredAt, count: 0, counts: {} };
    if (e.occurredAt < row.firstAt) row.firstAt = e.occurredAt;
    if (e.occurredAt > row.lastAt) row.lastAt = e.occurredAt;
    row.count += 1;
    row.counts[e.type] = (row.counts[e.type] ?? 0) + 1;
    byKey.set(key, row);
  }
  return [...byKey.values()].sort((a, b) => (a.learnerId === b.learnerId ? (a.courseId < b.courseId ? -1 : 1) : a.learnerId < b.learnerId ? -1 : 1));
}
