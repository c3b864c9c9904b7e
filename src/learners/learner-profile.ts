/** GET /v1/learners/{id}: profile, per-course state, goals, self-assessments and message counts. */
import type { Db } from "../db/client";
import { NotFoundError } from "../lib/errors";
import { firstNameOf } from "../templates/render-context";

/** The learner's profile document; 404 when the engine has never seen them. */
export async function getLearnerProfile(db: Db, learnerId: string) {
  const learner = await db.learner.findUnique({ where: { id: learnerId } });
  if (!learner) throw new NotFoundError(`No learner ${learnerId}`);
  const [courses, goals, assessments, counts, preferences] = await Promise.all([
    db.learnerCourseState.findMany({ where: { learnerId }, orderBy: { courseId: "asc" } }),
    db.goal.findMany({ where: { learnerId }, orderBy: { createdAt: "desc" }, take: 50 }),
    db.selfAssessment.findMany({ where: { learnerId }, orderBy: { createdAt: "desc" }, take: 50 }),
    db.message.groupBy({ by: ["status"], where: { learnerId }, _count: true }),
    db.learnerPreference.findUnique({ where: { learnerId } }),
  ]);
  return {
    id: learner.id,
    name: learner.name,
    firstName: firstNameOf(learner.name),
    locale: learner.locale,
    timezone: learner.timezone,
    attributes: learner.attributes,
    createdAt: learner.createdAt,
    updatedAt: learner.updatedAt,
    courses: courses.map((c) => ({ courseId: c.courseId, firstActivityAt: c.firstActivityAt, lastActivityAt: c.lastActivityAt, eventCount: c.eventCount, eventCounts: c.eventCounts })),
    goals: goals.map(presentGoal),
    selfAssessments: assessments.map((a) => ({
      courseId: a.courseId || null,
      moduleId: a.moduleId,
      rating: a.rating,
      scale: { min: a.scaleMin, max: a.scaleMax },
      messageId: a.messageId,
      createdAt: a.createdAt,
    })),
    messageCounts: Object.fromEntries(counts.map((c) => [c.status, c._count])),
    preferences: { snoozedUntil: preferences?.snoozedUntil ?? null, optedOutKinds: preferences?.optedOutKinds ?? [] },
  };
}

/** The learner's goals, newest first (optionally for one course). */
export async function listGoals(db: Db, learnerId: string, courseId?: string) {
  const goals = await db.goal.findMany({ where: { learnerId, ...(courseId ? { courseId } : {}) }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return goals.map(presentGoal);
}

function presentGoal(g: { id: bigint; courseId: string; text: string; messageId: string | null; createdAt: Date }) {
  return { id: g.id.toString(), courseId: g.courseId || null, text: g.text, messageId: g.messageId, createdAt: g.createdAt };
}
