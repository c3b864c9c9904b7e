import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";

/** Policy without quiet hours or gaps, so these tests do not depend on the time of day. */
const OPEN_POLICY = { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null };

describe("the coaching loop: event → rule → queue → inbox", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;
  const ingest = () => `Bearer ${engine.keys.ingest}`;

  beforeAll(async () => {
    engine = await startTestEngine({ workers: true });
    expect((await engine.http.put("/v1/policy").set("Authorization", author()).send(OPEN_POLICY)).status).toBe(200);
    const template = await engine.http
      .post("/v1/templates")
      .set("Authorization", author())
      .send({
        key: "retry-goal",
        name: "Retry with your goal",
        kind: "nudge",
        variants: [
          {
            key: "A",
            title: "Keep going, {{learner.firstName}}",
            body: 'Hi {{learner.firstName}}, your goal was {{default goal.text "to learn"}}.',
            cta: { label: "Retry", url: "/courses/{{course.id}}/quiz" },
            weight: 1,
          },
        ],
      });
    expect(template.status).toBe(201);
    const rule = await engine.http
      .post("/v1/rules")
      .set("Authorization", author())
      .send({
        key: "retry-goal",
        name: "After a failed quiz",
        templateKey: "retry-goal",
        priority: 10,
        trigger: { eventType: "quiz.submitted", courseId: "loop-101", where: { all: [{ field: "event.properties.passed", op: "eq", value: false }] } },
      });
    expect(rule.status).toBe(201);
    const delayed = await engine.http
      .post("/v1/rules")
      .set("Authorization", author())
      .send({
        key: "welcome-later",
        name: "Welcome after 3 s",
        templateKey: "retry-goal",
        delaySeconds: 3,
        trigger: { eventType: "course.enrolled", courseId: "loop-101" },
      });
    expect(delayed.status).toBe(201);
  });
  afterAll(async () => engine.close());

  const inbox = async (learnerId: string) =>
    (await engine.http.get(`/v1/learners/${learnerId}/messages?courseId=loop-101`).set("Authorization", ingest())).body.messages as Array<Record<string, unknown>>;

  it("delivers a personalized nudge with the learner's name and goal into the inbox", async () => {
    await engine.ctx.prisma.goal.create({ data: { learnerId: "ada", courseId: "loop-101", text: "pass the <b>final</b> exam" } });
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", ingest())
      .send(buildEvent({ learnerId: "ada", courseId: "loop-101", type: "quiz.submitted", properties: { score: 0.3, passed: false }, learner: { name: "Ada Lovelace" } }));
    expect(res.status).toBe(202);
    const messages = await waitFor(
      () => inbox("ada"),
      (m) => m.length === 1,
    );
    expect(messages[0]).toMatchObject({
      learnerId: "ada",
      courseId: "loop-101",
      kind: "nudge",
      ruleKey: "retry-goal",
      templateKey: "retry-goal",
      variant: "A",
      status: "delivered",
      title: "Keep going, Ada",
      body: "Hi Ada, your goal was pass the &lt;b&gt;final&lt;/b&gt; exam.",
      cta: { label: "Retry", url: "/courses/loop-101/quiz" },
    });
  });

  it("does not match an event the conditions exclude", async () => {
    await engine.http
      .post("/v1/events")
      .set("Authorization", ingest())
      .send(buildEvent({ learnerId: "passer", courseId: "loop-101", type: "quiz.submitted", properties: { score: 0.9, passed: true } }));
    await waitFor(
      async () => (await engine.ctx.prisma.event.findMany({ where: { learnerId: "passer", matchedAt: null } })).length,
      (n) => n === 0,
    );
    expect(await inbox("passer")).toEqual([]);
  });

  it("delivers a delayed rule after its delay and not before", async () => {
    const posted = Date.now();
    await engine.http
      .post("/v1/events")
      .set("Authorization", ingest())
      .send(buildEvent({ learnerId: "late", courseId: "loop-101", type: "course.enrolled" }));
    const scheduled = await waitFor(
      () => engine.ctx.prisma.message.findMany({ where: { learnerId: "late" } }),
      (m) => m.length === 1,
    );
    expect(scheduled[0].status).toBe("scheduled");
    expect(await inbox("late")).toEqual([]);
    const delivered = await waitFor(
      () => inbox("late"),
      (m) => m.length === 1,
    );
    expect(Date.parse(delivered[0].deliveredAt as string) - posted).toBeGreaterThanOrEqual(2_900);
  });
});
