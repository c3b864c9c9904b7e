import { randomUUID } from "node:crypto";
import { startTestEngine, type TestEngine } from "../setup/test-engine";

describe("Segment-compatible tracking API", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("stores a track call sent with HTTP Basic auth, mapping Segment's fields to ours", async () => {
    const messageId = `seg-${randomUUID()}`;
    const res = await engine.http.post("/v1/track").auth(engine.keys.ingest, "").send({
      userId: "seg-learner", event: "Quiz Submitted", messageId, timestamp: new Date().toISOString(),
      properties: { courseId: "ml-101", moduleId: "week-2", score: 0.4, passed: false },
      context: { traits: { name: "Ada Lovelace", timezone: "Europe/London", plan: "paid" } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0, success: true });
    const event = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: messageId } });
    expect(event).toMatchObject({ type: "quiz_submitted", learnerId: "seg-learner", courseId: "ml-101", moduleId: "week-2", properties: { score: 0.4, passed: false } });
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "seg-learner" } });
    expect(learner).toMatchObject({ name: "Ada Lovelace", timezone: "Europe/London", attributes: { plan: "paid" } });
  });

  it("stores a batch and is idempotent by messageId", async () => {
    const batch = [1, 2, 3].map((i) => ({ type: "track", userId: `b${i}`, event: "video.completed", messageId: `seg-${randomUUID()}`, timestamp: new Date().toISOString(), properties: { courseId: "c" } }));
    const first = await engine.http.post("/v1/batch").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ batch, sentAt: new Date().toISOString() });
    expect(first.body).toMatchObject({ accepted: 3, duplicates: 0 });
    const again = await engine.http.post("/v1/batch").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ batch });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3 });
  });

  it("reports invalid calls in Segment's terms (batch[i].timestamp)", async () => {
    const batch = [{ type: "track", userId: "x", event: "ok", messageId: `seg-${randomUUID()}`, timestamp: "yesterday" }];
    const res = await engine.http.post("/v1/batch").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ batch });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["batch[0].timestamp"]);
  });

  it("rejects a track call from an author key with 403", async () => {
    const res = await engine.http.post("/v1/track").auth(engine.keys.author, "").send({});
    expect(res.status).toBe(403);
  });
});
