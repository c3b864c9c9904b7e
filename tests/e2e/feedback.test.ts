import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { insertMessage } from "../factories/messages";

describe("feedback", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  const feedback = (messageId: string, body: Record<string, unknown>, auth = `Bearer ${engine.keys.ingest}`) =>
    engine.http.post(`/v1/messages/${messageId}/feedback`).set("Authorization", auth).send(body);

  it("records seen, clicked and dismissed idempotently, and answers the updated message", async () => {
    const m = await insertMessage(engine.ctx);
    const first = await feedback(m.id, { learnerId: "L1", type: "clicked" });
    expect(first.status).toBe(200);
    expect(first.body.engagement.seenAt).not.toBeNull();
    expect(first.body.engagement.clickedAt).not.toBeNull();
    await feedback(m.id, { learnerId: "L1", type: "clicked" });
    const dismissed = await feedback(m.id, { learnerId: "L1", type: "dismissed" });
    expect(dismissed.body.status).toBe("dismissed");
    expect(await engine.ctx.prisma.feedback.count({ where: { messageId: m.id } })).toBe(2);
  });

  it("keeps one vote when 20 identical votes arrive at once, and the last vote stands", async () => {
    const m = await insertMessage(engine.ctx);
    const votes = await Promise.all(Array.from({ length: 20 }, () => feedback(m.id, { learnerId: "L1", type: "helpful" })));
    expect(votes.every((v) => v.status === 200)).toBe(true);
    expect(await engine.ctx.prisma.feedback.count({ where: { messageId: m.id, type: "helpful" } })).toBe(1);
    expect((await engine.ctx.prisma.message.findUniqueOrThrow({ where: { id: m.id } })).vote).toBe("helpful");
    await feedback(m.id, { learnerId: "L1", type: "not_helpful" });
    expect((await engine.ctx.prisma.message.findUniqueOrThrow({ where: { id: m.id } })).vote).toBe("not_helpful");
  });

  it("answers 404 for another learner's message and for an unknown one, without saying which", async () => {
    const m = await insertMessage(engine.ctx, { learnerId: "owner" });
    const other = await feedback(m.id, { learnerId: "intruder", type: "seen" });
    const unknown = await feedback("00000000-0000-4000-8000-000000000000", { learnerId: "intruder", type: "seen" });
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(other.body.detail).toBe(unknown.body.detail);
  });

  it("stores a goal from a goal prompt's response and a rating from a self-assessment inside its scale", async () => {
    const prompt = await insertMessage(engine.ctx, { kind: "goal_prompt", responseSpec: { type: "text", maxLength: 500 } });
    expect((await feedback(prompt.id, { learnerId: "L1", type: "response", value: "  Finish week 2 by Friday " })).status).toBe(200);
    const goals = await engine.http.get("/v1/learners/L1/goals?courseId=ml-101").set("Authorization", `Bearer ${engine.keys.ingest}`);
    expect(goals.body.goals[0].text).toBe("Finish week 2 by Friday");

    const assessment = await insertMessage(engine.ctx, { kind: "self_assessment", moduleId: "week-2", responseSpec: { type: "scale", min: 1, max: 5, labels: {} } });
    expect((await feedback(assessment.id, { learnerId: "L1", type: "response", value: 4 })).status).toBe(200);
    const stored = await engine.ctx.prisma.selfAssessment.findFirstOrThrow({ where: { messageId: assessment.id } });
    expect(stored).toMatchObject({ rating: 4, moduleId: "week-2", scaleMin: 1, scaleMax: 5 });
  });

  it.each([
    ["a rating outside the scale", { kind: "self_assessment", responseSpec: { type: "scale", min: 1, max: 5 } }, 6],
    ["a fractional rating", { kind: "self_assessment", responseSpec: { type: "scale", min: 1, max: 5 } }, 2.5],
    ["an empty goal", { kind: "goal_prompt", responseSpec: { type: "text", maxLength: 500 } }, "   "],
    ["a goal over 500 characters", { kind: "goal_prompt", responseSpec: { type: "text", maxLength: 500 } }, "x".repeat(501)],
    ["a response to a plain nudge", { kind: "nudge" }, "hello"],
  ] as const)("rejects %s with 400 at value", async (_name, overrides, value) => {
    const m = await insertMessage(engine.ctx, overrides as never);
    const res = await feedback(m.id, { learnerId: "L1", type: "response", value });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("value");
  });

  it("shows the learner's throttle state: caps used and the dismiss streak", async () => {
    await engine.ctx.prisma.learner.upsert({ where: { id: "streaky" }, create: { id: "streaky", timezone: "Asia/Tokyo" }, update: {} });
    for (let i = 0; i < 3; i++) {
      const m = await insertMessage(engine.ctx, { learnerId: "streaky" });
      await feedback(m.id, { learnerId: "streaky", type: "dismissed" });
    }
    const res = await engine.http.get("/v1/learners/streaky").set("Authorization", `Bearer ${engine.keys.analyst}`);
    expect(res.body.throttle).toMatchObject({ timezone: "Asia/Tokyo", deliveredToday: 3, dayCap: 3, weekCap: 10, dismissStreak: 3 });
    expect(Date.parse(res.body.throttle.backoffUntil) - Date.now()).toBeGreaterThan(71 * 3600_000);
  });

  it("lets a learner token post feedback for its own learner only", async () => {
    const token = (await engine.http.post("/v1/learner-tokens").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ learnerId: "L1" })).body.token;
    const m = await insertMessage(engine.ctx);
    expect((await feedback(m.id, { learnerId: "L1", type: "seen" }, `Bearer ${token}`)).status).toBe(200);
    expect((await feedback(m.id, { learnerId: "L2", type: "seen" }, `Bearer ${token}`)).status).toBe(403);
    expect((await engine.http.get("/v1/learners/L1/messages").set("Authorization", `Bearer ${token}`)).status).toBe(200);
    expect((await engine.http.get("/v1/learners/L2/messages").set("Authorization", `Bearer ${token}`)).status).toBe(403);
  });
});
