/**
 * A course's last ten days as an analyst finds them: two rules (an A/B test with a clear winner, and a nudge
 * with a 20% holdout and a once-per-learner limit), ten days of delivered messages with votes, clicks and
 * responses, suppressions and deferrals for several reasons, and one learner ("ada") whose second
 * `module.started` the real engine suppresses by the rule's limit — "why didn't Ada get it?".
 */
import type { TestEngine } from "../setup/test-engine";
import { buildEvent } from "./events";
import { insertMessage } from "./messages";
import { waitFor } from "../setup/wait-for";
import { isHeldOut } from "../../src/experiments/holdout";

export const STORY_COURSE = "ml-101";
const DAY = 86_400_000;

/** Seeds the story; returns the learner whose suppression the analyst looks for. */
export async function seedAnalystStory(engine: TestEngine, now = new Date()): Promise<{ learnerId: string }> {
  const author = `Bearer ${engine.keys.author}`;
  const send = async (method: "post" | "put", path: string, body: object) => {
    const res = await engine.http[method](path).set("Authorization", author).send(body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await send("put", "/v1/policy", { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null });
  await send("post", "/v1/templates", {
    key: "quiz-retry",
    name: "Encourage a retry",
    kind: "nudge",
    variants: [
      { key: "A", title: "Try the quiz again", body: "Review the notes and try again.", weight: 1 },
      { key: "B", title: "Mistakes grow your brain", body: "Every retry teaches you something. Try again!", weight: 1 },
    ],
  });
  await send("post", "/v1/templates", {
    key: "module-cheer",
    name: "Cheer a new module",
    kind: "nudge",
    variants: [{ key: "A", title: "Good start, {{learner.firstName}}", body: "Keep going.", weight: 1 }],
  });
  await send("post", "/v1/rules", {
    key: "quiz-retry",
    name: "After a failed quiz",
    templateKey: "quiz-retry",
    priority: 10,
    trigger: { eventType: "quiz.submitted", courseId: STORY_COURSE, where: { all: [{ field: "event.properties.passed", op: "eq", value: false }] } },
  });
  await send("post", "/v1/rules", {
    key: "module-cheer",
    name: "Cheer a started module",
    templateKey: "module-cheer",
    priority: 5,
    maxPerLearner: 1,
    holdout: { share: 0.2, followUp: { eventType: "module.completed", withinDays: 7 } },
    trigger: { eventType: "module.started", courseId: STORY_COURSE },
  });

  // Ten days of history: B is clearly more helpful than A.
  for (let d = 9; d >= 0; d--) {
    const day = new Date(now.getTime() - d * DAY - 2 * 3_600_000);
    for (let i = 0; i < 8; i++) {
      const at = new Date(day.getTime() - i * 60_000);
      const assignment = { policy: "split", shares: { A: 0.5, B: 0.5 } };
      const learnerId = `hist-${d}-${i}`;
      await insertMessage(engine.ctx, {
        learnerId,
        courseId: STORY_COURSE,
        ruleKey: "quiz-retry",
        templateKey: "quiz-retry",
        variant: "A",
        assignment,
        deliveredAt: at,
        createdAt: at,
        dueAt: at,
        seenAt: at,
        vote: i < 3 ? "helpful" : i < 6 ? "not_helpful" : null,
        clickedAt: i % 3 === 0 ? at : null,
      });
      await insertMessage(engine.ctx, {
        learnerId,
        courseId: STORY_COURSE,
        ruleKey: "quiz-retry",
        templateKey: "quiz-retry",
        variant: "B",
        assignment,
        deliveredAt: at,
        createdAt: at,
        dueAt: at,
        seenAt: at,
        vote: i < 6 ? "helpful" : i < 7 ? "not_helpful" : null,
        clickedAt: i % 2 === 0 ? at : null,
        respondedAt: i === 1 ? at : null,
      });
      if (i < 3)
        await insertMessage(engine.ctx, {
          learnerId,
          courseId: STORY_COURSE,
          ruleKey: "module-cheer",
          templateKey: "module-cheer",
          variant: "A",
          deliveredAt: at,
          createdAt: at,
          dueAt: at,
          dismissedAt: i === 0 ? at : null,
          status: i === 0 ? "dismissed" : "delivered",
        });
    }
    const at = new Date(day.getTime() + 30 * 60_000);
    const reasons: Array<[string, string, number]> = [
      ["suppressed", "cap.day", 3 + (d % 3)],
      ["deferred", "quiet_hours", 2 + (d % 2)],
      ["suppressed", "lower_priority", 1],
      ["suppressed", "adaptive.backoff", d % 4 === 0 ? 2 : 0],
    ];
    await engine.ctx.prisma.suppression.createMany({
      data: reasons.flatMap(([outcome, reason, n]) =>
        Array.from({ length: n }, (_, k) => ({ outcome, reason, learnerId: `hist-${d}-${k}`, courseId: STORY_COURSE, ruleKey: "quiz-retry", createdAt: at, details: {} })),
      ),
    });
  }

  // The live part: the real engine delivers Ada's first cheer and suppresses the second by the rule's limit.
  const learnerId = ["ada", "ada-lovelace", "ada-l", "ada-1", "ada-2"].find((id) => !isHeldOut(id, "module-cheer", 0.2))!;
  const ingest = `Bearer ${engine.keys.ingest}`;
  for (const moduleId of ["week-1", "week-2"]) {
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", ingest)
      .send(buildEvent({ learnerId, courseId: STORY_COURSE, moduleId, type: "module.started", learner: { name: "Ada Lovelace", timezone: "Europe/London", locale: "en" } }));
    if (res.status !== 202) throw new Error(`event: ${res.status}`);
    await waitFor(
      async () => (await engine.ctx.prisma.event.count({ where: { learnerId, matchedAt: null } })) + (await engine.ctx.prisma.message.count({ where: { learnerId, status: "scheduled" } })),
      (n) => n === 0,
    );
  }
  await waitFor(
    () => engine.ctx.prisma.suppression.count({ where: { learnerId, reason: "max_per_learner" } }),
    (n) => n === 1,
  );
  // Ada read the first cheer and found it helpful; she has a goal and rated herself.
  const delivered = await engine.ctx.prisma.message.findFirstOrThrow({ where: { learnerId, status: "delivered" } });
  for (const type of ["seen", "helpful"]) {
    const res = await engine.http.post(`/v1/messages/${delivered.id}/feedback`).set("Authorization", ingest).send({ learnerId, type });
    if (res.status !== 200) throw new Error(`feedback: ${res.status}`);
  }
  await engine.ctx.prisma.goal.create({ data: { learnerId, courseId: STORY_COURSE, text: "Finish week 2 before Friday" } });
  await engine.ctx.prisma.selfAssessment.create({ data: { learnerId, courseId: STORY_COURSE, moduleId: "week-1", rating: 3, scaleMin: 1, scaleMax: 5 } });
  return { learnerId };
}
