import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { matchStoredEvent } from "../../src/matching/match-stored-event";
import { deliverMessage } from "../../src/delivery/deliver-message";
import { ManualClock } from "../../src/lib/clock";

/**
 * Competing nudges across events: with a 10-minute decision window, of the nudges matched for one learner
 * within 10 minutes of each other only the highest priority is delivered, whichever event came first.
 */
describe("decision window", () => {
  let engine: TestEngine;
  const clock = new ManualClock("2026-03-02T12:00:00Z");
  const as = (role: "author" | "ingest") => `Bearer ${engine.keys[role]}`;

  async function trigger(learnerId: string, type: string) {
    const event = buildEvent({ learnerId, courseId: "w-101", type, occurredAt: clock.now().toISOString() });
    expect((await engine.http.post("/v1/events").set("Authorization", as("ingest")).send(event)).status).toBe(202);
    await matchStoredEvent(engine.ctx, event.id);
  }

  /** Delivers every message due now, oldest first, as the delivery worker would. */
  async function deliverDue() {
    const due = await engine.ctx.prisma.message.findMany({ where: { status: "scheduled", dueAt: { lte: clock.now() } }, orderBy: { dueAt: "asc" } });
    for (const m of due) await deliverMessage(engine.ctx, m.id);
  }

  const outcomes = async (learnerId: string) => (await engine.ctx.prisma.message.findMany({ where: { learnerId }, orderBy: { createdAt: "asc" } })).map((m) => `${m.ruleKey}:${m.status}`);

  beforeAll(async () => {
    engine = await startTestEngine({ clock });
    expect(
      (await engine.http.put("/v1/policy").set("Authorization", as("author")).send({ maxPerDay: 100, maxPerWeek: 100, minGapMinutes: 0, quietHours: null, decisionWindowMinutes: 10 })).status,
    ).toBe(200);
    expect(
      (
        await engine.http
          .post("/v1/templates")
          .set("Authorization", as("author"))
          .send({ key: "w", name: "W", kind: "nudge", variants: [{ key: "A", title: "Hi", body: "Hi", weight: 1 }] })
      ).status,
    ).toBe(201);
    for (const [key, eventType, priority] of [
      ["low", "quiz.failed", 1],
      ["high", "module.completed", 5],
    ] as const) {
      expect(
        (
          await engine.http
            .post("/v1/rules")
            .set("Authorization", as("author"))
            .send({ key, name: key, templateKey: "w", trigger: { eventType, courseId: "w-101" }, priority })
        ).status,
      ).toBe(201);
    }
  });
  afterAll(async () => engine.close());

  it("holds each nudge for the window, then delivers only the higher priority when the lower one came first", async () => {
    await trigger("first-low", "quiz.failed");
    const [held] = await engine.ctx.prisma.message.findMany({ where: { learnerId: "first-low" } });
    expect(held.dueAt.getTime() - clock.now().getTime()).toBe(10 * 60_000);
    clock.advance(3 * 60_000);
    await trigger("first-low", "module.completed");
    clock.advance(7 * 60_000);
    await deliverDue(); // the low one is due first and is outranked
    expect(await outcomes("first-low")).toEqual(["low:suppressed", "high:scheduled"]);
    const [suppression] = await engine.ctx.prisma.suppression.findMany({ where: { learnerId: "first-low", reason: "lower_priority" } });
    expect(suppression.details).toMatchObject({ winner: "high", winnerPriority: 5, priority: 1, windowMinutes: 10 });
    clock.advance(3 * 60_000);
    await deliverDue();
    expect(await outcomes("first-low")).toEqual(["low:suppressed", "high:delivered"]);
  });

  it("delivers the higher priority when it came first, and suppresses the lower one that follows within the window", async () => {
    await trigger("first-high", "module.completed");
    clock.advance(9 * 60_000);
    await trigger("first-high", "quiz.failed");
    clock.advance(60_000);
    await deliverDue();
    clock.advance(9 * 60_000);
    await deliverDue();
    expect(await outcomes("first-high")).toEqual(["high:delivered", "low:suppressed"]);
  });

  it("lets nudges matched further apart than the window both through", async () => {
    await trigger("apart", "quiz.failed");
    clock.advance(11 * 60_000);
    await trigger("apart", "module.completed");
    await deliverDue();
    clock.advance(10 * 60_000);
    await deliverDue();
    expect(await outcomes("apart")).toEqual(["low:delivered", "high:delivered"]);
  });
});
