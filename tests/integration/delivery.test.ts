import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { matchStoredEvent } from "../../src/matching/match-stored-event";
import { deliverMessage } from "../../src/delivery/deliver-message";
import { sweepOutbox } from "../../src/maintenance/sweep-outbox";

/**
 * Delivery without workers: the test drives matchStoredEvent and deliverMessage directly, as the workers
 * would, so it can duplicate, race and crash them on purpose.
 */
describe("delivery", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;

  async function setPolicy(policy: Record<string, unknown>) {
    expect(
      (
        await engine.http
          .put("/v1/policy")
          .set("Authorization", author())
          .send({ quietHours: null, minGapMinutes: 0, ...policy })
      ).status,
    ).toBe(200);
  }

  async function post(event: ReturnType<typeof buildEvent>) {
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(event)).status).toBe(202);
    await matchStoredEvent(engine.ctx, event.id);
  }

  async function deliverAllDue(learnerId: string) {
    const due = await engine.ctx.prisma.message.findMany({ where: { learnerId, status: "scheduled" } });
    for (const m of due) await deliverMessage(engine.ctx, m.id);
  }

  const countByStatus = async (learnerId: string) => {
    const rows = await engine.ctx.prisma.message.groupBy({ by: ["status"], where: { learnerId }, _count: true });
    return Object.fromEntries(rows.map((r) => [r.status, r._count]));
  };

  beforeAll(async () => {
    engine = await startTestEngine();
    await engine.http
      .post("/v1/templates")
      .set("Authorization", author())
      .send({
        key: "plain",
        name: "Plain",
        kind: "nudge",
        variants: [{ key: "A", title: "Hello", body: "Hello {{learner.firstName}}", weight: 1 }],
      });
    for (const [key, extra] of [
      ["every-video", {}],
      ["cooled", { cooldownHours: 24 }],
      ["lifetime", { maxPerLearner: 2 }],
    ] as const) {
      const res = await engine.http
        .post("/v1/rules")
        .set("Authorization", author())
        .send({
          key,
          name: key,
          templateKey: "plain",
          trigger: { eventType: key === "every-video" ? "video.completed" : `${key}.event`, courseId: "d-101" },
          ...extra,
        });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => engine.close());

  it("delivers a message once when its delivery job runs twice, or five times at once", async () => {
    await setPolicy({ maxPerDay: 100, maxPerWeek: 100 });
    await post(buildEvent({ learnerId: "twice", courseId: "d-101", type: "video.completed" }));
    const [message] = await engine.ctx.prisma.message.findMany({ where: { learnerId: "twice" } });
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => deliverMessage(engine.ctx, message.id)));
    expect(outcomes.filter((o) => o.type === "delivered")).toHaveLength(1);
    expect((await deliverMessage(engine.ctx, message.id)).type).toBe("skipped");
    expect(await countByStatus("twice")).toEqual({ delivered: 1 });
  });

  it("matches an event once when five matchers race for it: one message, one set of suppression records", async () => {
    const race = async (learnerId: string) => {
      const event = buildEvent({ learnerId, courseId: "d-101", type: "video.completed" });
      expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(event)).status).toBe(202);
      await Promise.all([1, 2, 3, 4, 5].map(() => matchStoredEvent(engine.ctx, event.id)));
      return event.id;
    };
    await setPolicy({ maxPerDay: 100, maxPerWeek: 100 });
    const sent = await race("race-sent");
    expect(await engine.ctx.prisma.message.count({ where: { eventId: sent } })).toBe(1);
    await setPolicy({ maxPerDay: 0, maxPerWeek: 100 });
    const capped = await race("race-capped");
    expect(await engine.ctx.prisma.message.count({ where: { eventId: capped } })).toBe(0);
    expect((await engine.ctx.prisma.suppression.findMany({ where: { eventId: capped } })).map((r) => r.reason)).toEqual(["cap.day"]);
    expect((await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: capped } })).matchedAt).not.toBeNull();
  });

  it("applies no caps with the throttle switched off (COACH_THROTTLE=off) but still respects a learner's opt-out", async () => {
    await setPolicy({ maxPerDay: 1, maxPerWeek: 1 });
    const unthrottled = { ...engine.ctx, config: { ...engine.ctx.config, throttle: false } };
    for (let i = 0; i < 3; i++) {
      const event = buildEvent({ learnerId: "unthrottled", courseId: "d-101", type: "video.completed" });
      expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(event)).status).toBe(202);
      await matchStoredEvent(unthrottled, event.id);
      for (const m of await engine.ctx.prisma.message.findMany({ where: { learnerId: "unthrottled", status: "scheduled" } })) await deliverMessage(unthrottled, m.id);
    }
    expect(await countByStatus("unthrottled")).toEqual({ delivered: 3 });
    // Switched back on, the same learner is over the cap of 1.
    await post(buildEvent({ learnerId: "unthrottled", courseId: "d-101", type: "video.completed" }));
    expect(await countByStatus("unthrottled")).toEqual({ delivered: 3 });

    const optOut = await engine.http
      .put("/v1/learners/opted-out/preferences")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send({ optedOutKinds: ["nudge"] });
    expect(optOut.status).toBe(200);
    const event = buildEvent({ learnerId: "opted-out", courseId: "d-101", type: "video.completed" });
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(event)).status).toBe(202);
    await matchStoredEvent(unthrottled, event.id);
    expect(await countByStatus("opted-out")).toEqual({});
    const suppressed = await engine.ctx.prisma.suppression.findMany({ where: { learnerId: "opted-out" } });
    expect(suppressed.map((s) => s.reason)).toEqual(["preferences.opted_out"]);
  });

  it("delivers exactly once after a worker dies mid-delivery and the sweeper re-enqueues the message", async () => {
    await setPolicy({ maxPerDay: 100, maxPerWeek: 100 });
    await post(buildEvent({ learnerId: "crash", courseId: "d-101", type: "video.completed" }));
    const [message] = await engine.ctx.prisma.message.findMany({ where: { learnerId: "crash" } });
    // A "worker" marks the message delivered inside a transaction, then its connection dies before COMMIT.
    const victim = await engine.ctx.database.pool.connect();
    victim.on("error", () => undefined); // its connection is about to be killed on purpose
    await victim.query("BEGIN");
    await victim.query(`UPDATE messages SET status = 'delivered', delivered_at = now() WHERE id = $1`, [message.id]);
    const pid = (await victim.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
    await engine.ctx.database.pool.query(`SELECT pg_terminate_backend($1)`, [pid]);
    victim.release(true);
    expect((await engine.ctx.prisma.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe("scheduled");
    // The sweeper finds it overdue and re-enqueues it; a worker delivers it; a stray duplicate does nothing.
    const swept = await sweepOutbox({ ...engine.ctx, config: { ...engine.ctx.config, sweepAfterMs: 0 } });
    expect(swept.messages).toBeGreaterThanOrEqual(1);
    const jobs = await engine.ctx.queues.queue("deliver").getJobs(["waiting", "delayed"]);
    expect(jobs.some((j) => ((j.data as { messageIds?: string[] }).messageIds ?? []).includes(message.id))).toBe(true);
    expect((await deliverMessage(engine.ctx, message.id)).type).toBe("delivered");
    expect((await deliverMessage(engine.ctx, message.id)).type).toBe("skipped");
    expect(await countByStatus("crash")).toEqual({ delivered: 1 });
  });

  it("with maxPerDay 2, five triggers deliver 2 and record 3 cap.day suppressions", async () => {
    await setPolicy({ maxPerDay: 2, maxPerWeek: 100 });
    for (let i = 0; i < 5; i++) {
      await post(buildEvent({ learnerId: "capped", courseId: "d-101", type: "video.completed" }));
      await deliverAllDue("capped");
    }
    const counts = await countByStatus("capped");
    expect(counts.delivered).toBe(2);
    const suppressions = await engine.ctx.prisma.suppression.findMany({ where: { learnerId: "capped", outcome: "suppressed" } });
    expect(suppressions.map((s) => s.reason)).toEqual(["cap.day", "cap.day", "cap.day"]);
    expect(suppressions[0].details).toMatchObject({ delivered: 2, cap: 2 });
  });

  it("respects a rule's cooldown and its lifetime cap", async () => {
    await setPolicy({ maxPerDay: 100, maxPerWeek: 100 });
    for (let i = 0; i < 3; i++) {
      await post(buildEvent({ learnerId: "cool", courseId: "d-101", type: "cooled.event" }));
      await deliverAllDue("cool");
      await post(buildEvent({ learnerId: "life", courseId: "d-101", type: "lifetime.event" }));
      await deliverAllDue("life");
    }
    expect((await countByStatus("cool")).delivered).toBe(1);
    expect((await engine.ctx.prisma.suppression.findMany({ where: { learnerId: "cool" } })).map((s) => s.reason)).toEqual(["cooldown", "cooldown"]);
    expect((await countByStatus("life")).delivered).toBe(2);
    expect((await engine.ctx.prisma.suppression.findMany({ where: { learnerId: "life" } })).map((s) => s.reason)).toEqual(["max_per_learner"]);
  });

  it("defers for the minimum gap instead of dropping, and delivers when the gap has passed", async () => {
    await setPolicy({ maxPerDay: 100, maxPerWeek: 100, minGapMinutes: 60 });
    await post(buildEvent({ learnerId: "gap", courseId: "d-101", type: "video.completed" }));
    await deliverAllDue("gap");
    await post(buildEvent({ learnerId: "gap", courseId: "d-101", type: "video.completed" }));
    const second = await waitFor(
      () => engine.ctx.prisma.message.findMany({ where: { learnerId: "gap", status: "scheduled" } }),
      (m) => m.length === 1,
    );
    expect(second[0].dueAt.getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
    const deferral = await engine.ctx.prisma.suppression.findFirstOrThrow({ where: { learnerId: "gap", outcome: "deferred" } });
    expect(deferral.reason).toBe("min_gap");
  });
});

describe("a message's history", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("tells matched, deferred with its reason and numbers, delivered and feedback in order", async () => {
    const author = `Bearer ${engine.keys.author}`;
    await engine.http.put("/v1/policy").set("Authorization", author).send({ quietHours: null, minGapMinutes: 0 });
    await engine.http
      .post("/v1/templates")
      .set("Authorization", author)
      .send({ key: "h", name: "h", kind: "nudge", variants: [{ key: "A", title: "t", body: "b", weight: 1 }] });
    await engine.http
      .post("/v1/rules")
      .set("Authorization", author)
      .send({ key: "h", name: "h", templateKey: "h", trigger: { eventType: "video.completed" } });
    const event = buildEvent({ learnerId: "storied", type: "video.completed" });
    await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(event);
    await matchStoredEvent(engine.ctx, event.id);
    const [message] = await engine.ctx.prisma.message.findMany({ where: { learnerId: "storied" } });
    await deliverMessage(engine.ctx, message.id);
    await engine.http.post(`/v1/messages/${message.id}/feedback`).set("Authorization", `Bearer ${engine.keys.ingest}`).send({ learnerId: "storied", type: "helpful" });
    const res = await engine.http.get(`/v1/messages/${message.id}`).set("Authorization", `Bearer ${engine.keys.analyst}`);
    expect(res.status).toBe(200);
    expect(res.body.history.map((h: { step: string }) => h.step)).toEqual(["matched", "delivered", "helpful"]);
    expect((await engine.http.get("/v1/messages/00000000-0000-4000-8000-000000000000").set("Authorization", `Bearer ${engine.keys.analyst}`)).status).toBe(404);
  });
});
