import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { ManualClock } from "../../src/lib/clock";
import { buildEvent } from "../factories/events";
import { scanInactivity } from "../../src/matching/scan-inactivity";

const DAY = 86_400_000;

describe("inactivity triggers", () => {
  let engine: TestEngine;
  const clock = new ManualClock("2026-11-02T12:00:00Z");
  const author = () => `Bearer ${engine.keys.author}`;
  const messages = () => engine.ctx.prisma.message.findMany({ where: { ruleKey: "miss-you" }, orderBy: { createdAt: "asc" } });
  const postActivity = async (learnerId: string) => {
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send(buildEvent({ learnerId, courseId: "quiet-101", occurredAt: clock.now().toISOString() }));
    expect(res.status).toBe(202);
  };

  beforeAll(async () => {
    engine = await startTestEngine({ clock });
    await engine.http.put("/v1/policy").set("Authorization", author()).send({ quietHours: null, minGapMinutes: 0 });
    await engine.http
      .post("/v1/templates")
      .set("Authorization", author())
      .send({ key: "miss", name: "Miss", kind: "nudge", variants: [{ key: "A", title: "We miss you", body: 'Come back, {{default learner.firstName "friend"}}', weight: 1 }] });
    const rule = await engine.http
      .post("/v1/rules")
      .set("Authorization", author())
      .send({ key: "miss-you", name: "7 quiet days", templateKey: "miss", trigger: { inactiveDays: 7, courseId: "quiet-101" } });
    expect(rule.status).toBe(201);
    await scanInactivity(engine.ctx); // a new rule starts watching from now
  });
  afterAll(async () => engine.close());

  it("fires once after N quiet days, and again only after new activity and another quiet spell", async () => {
    await postActivity("sleepy");
    clock.advance(6 * DAY);
    await scanInactivity(engine.ctx);
    expect(await messages()).toHaveLength(0); // 6 days: not yet

    clock.advance(1 * DAY + 60_000);
    await scanInactivity(engine.ctx);
    expect(await messages()).toHaveLength(1); // 7 days: fires

    clock.advance(3 * DAY);
    await scanInactivity(engine.ctx);
    await scanInactivity(engine.ctx);
    expect(await messages()).toHaveLength(1); // same spell: never again

    await postActivity("sleepy"); // back: the spell ends, the trigger re-arms
    clock.advance(7 * DAY + 60_000);
    await scanInactivity(engine.ctx);
    const fired = await messages();
    expect(fired).toHaveLength(2);
    expect(fired.map((m) => m.learnerId)).toEqual(["sleepy", "sleepy"]);
    expect(fired[1].dedupeKey).not.toBe(fired[0].dedupeKey);
  });

  it("does not fire for learners who stay active", async () => {
    for (let d = 0; d < 10; d++) {
      await postActivity("busy");
      clock.advance(2 * DAY);
      await scanInactivity(engine.ctx);
    }
    expect((await messages()).filter((m) => m.learnerId === "busy")).toHaveLength(0);
  });
});
