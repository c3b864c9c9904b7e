import { randomUUID } from "node:crypto";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { matchStoredEvents } from "../../src/matching/match-stored-event";
import { deliverMessages } from "../../src/delivery/deliver-message";
import { Batcher } from "../../src/lib/batcher";

/**
 * Matching and delivery work in batches (a chunk of an ingest group; the delivery jobs active at once).
 * A batch must decide exactly what the same items decided one by one would: each event matched once, caps
 * exact across messages of one learner in one batch, repeats and races harmless.
 */
describe("batched matching and delivery", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;

  async function store(events: Array<ReturnType<typeof buildEvent>>) {
    const res = await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ events });
    expect(res.status).toBe(202);
  }

  beforeAll(async () => {
    engine = await startTestEngine();
    expect((await engine.http.put("/v1/policy").set("Authorization", author()).send({ maxPerDay: 2, maxPerWeek: 100, minGapMinutes: 0, quietHours: null })).status).toBe(200);
    await engine.http
      .post("/v1/templates")
      .set("Authorization", author())
      .send({
        key: "batch",
        name: "Batch",
        kind: "nudge",
        variants: [{ key: "A", title: "Hi", body: "Hi {{learner.firstName}}, you did {{event.type}}", weight: 1 }],
      });
    const rule = await engine.http
      .post("/v1/rules")
      .set("Authorization", author())
      .send({ key: "batch", name: "Batch", templateKey: "batch", trigger: { eventType: "video.completed", courseId: "b-101" } });
    expect(rule.status).toBe(201);
  });
  afterAll(async () => engine.close());

  it("matches a batch like one event at a time: messages for matching events, idle events marked, unknown and repeated ids harmless, a racing batch adds nothing", async () => {
    const matching = [1, 2, 3].map((i) => buildEvent({ learnerId: `bm-${i}`, courseId: "b-101", type: "video.completed", learner: { name: `Batch ${i}` } }));
    const twice = [1, 2].map(() => buildEvent({ learnerId: "bm-twice", courseId: "b-101", type: "video.completed" }));
    const idle = buildEvent({ learnerId: "bm-idle", courseId: "b-101", type: "module.started" });
    await store([...matching, ...twice, idle]);
    const ids = [...matching, ...twice, idle].map((e) => e.id);

    await Promise.all([matchStoredEvents(engine.ctx, [...ids, "no-such-event", ids[0]]), matchStoredEvents(engine.ctx, [...ids].reverse())]);

    const messages = await engine.ctx.prisma.message.findMany({ where: { learnerId: { startsWith: "bm-" } } });
    expect(messages.map((m) => m.eventId).sort()).toEqual([...matching, ...twice].map((e) => e.id).sort());
    expect(messages.every((m) => m.status === "scheduled" && m.ruleKey === "batch")).toBe(true);
    expect(await engine.ctx.prisma.event.count({ where: { id: { in: ids }, matchedAt: null } })).toBe(0);
    expect(await engine.ctx.prisma.suppression.count({ where: { learnerId: { startsWith: "bm-" } } })).toBe(0);
  });

  it("checks segment membership per learner within a batch: members get the segment rule's message, others a `segment` suppression", async () => {
    expect((await engine.http.post("/v1/segments").set("Authorization", author()).send({ key: "batch-vip", name: "VIP", type: "static" })).status).toBe(201);
    expect(
      (
        await engine.http
          .put("/v1/segments/batch-vip/members")
          .set("Authorization", author())
          .send({ learnerIds: ["bs-in-1", "bs-in-2"], mode: "add" })
      ).status,
    ).toBe(200);
    const rule = await engine.http
      .post("/v1/rules")
      .set("Authorization", author())
      .send({ key: "batch-vip", name: "VIP", templateKey: "batch", segmentKey: "batch-vip", priority: 10, trigger: { eventType: "quiz.failed", courseId: "b-101" } });
    expect(rule.status).toBe(201);
    const events = ["bs-in-1", "bs-out-1", "bs-in-2", "bs-out-2"].map((learnerId) => buildEvent({ learnerId, courseId: "b-101", type: "quiz.failed" }));
    await store(events);
    await matchStoredEvents(
      engine.ctx,
      events.map((e) => e.id),
    );
    const messages = await engine.ctx.prisma.message.findMany({ where: { learnerId: { startsWith: "bs-" } } });
    expect(messages.map((m) => m.learnerId).sort()).toEqual(["bs-in-1", "bs-in-2"]);
    const misses = await engine.ctx.prisma.suppression.findMany({ where: { learnerId: { startsWith: "bs-" } } });
    expect(misses.map((m) => [m.learnerId, m.reason]).sort()).toEqual([
      ["bs-out-1", "segment"],
      ["bs-out-2", "segment"],
    ]);
  });

  it("delivers a batch with caps exact inside it: 5 due messages of one learner against maxPerDay 2 give 2 delivered and 3 cap.day, others untouched", async () => {
    const hot = [1, 2, 3, 4, 5].map(() => buildEvent({ learnerId: "bd-hot", courseId: "b-101", type: "video.completed", learner: { name: "Hot Learner" } }));
    const cool = buildEvent({ learnerId: "bd-cool", courseId: "b-101", type: "video.completed", learner: { name: "Cool Learner" } });
    await store([...hot, cool]);
    await matchStoredEvents(
      engine.ctx,
      [...hot, cool].map((e) => e.id),
    );
    const scheduled = await engine.ctx.prisma.message.findMany({ where: { learnerId: { in: ["bd-hot", "bd-cool"] } } });
    expect(scheduled).toHaveLength(6);
    const ids = scheduled.map((m) => m.id);

    const outcomes = await deliverMessages(engine.ctx, [...ids, ids[0], randomUUID()]);
    expect(outcomes.size).toBe(7);
    const hotOutcomes = scheduled.filter((m) => m.learnerId === "bd-hot").map((m) => outcomes.get(m.id)!.type);
    expect(hotOutcomes.filter((t) => t === "delivered")).toHaveLength(2);
    expect(hotOutcomes.filter((t) => t === "suppressed")).toHaveLength(3);
    expect(outcomes.get(scheduled.find((m) => m.learnerId === "bd-cool")!.id)).toEqual({ type: "delivered" });
    expect([...outcomes.values()].filter((o) => o.type === "skipped")).toEqual([{ type: "skipped", why: "missing" }]);

    const delivered = await engine.ctx.prisma.message.findMany({ where: { learnerId: "bd-cool", status: "delivered" } });
    expect(delivered[0].body).toBe("Hi Cool, you did video.completed");
    expect(await engine.ctx.prisma.suppression.count({ where: { learnerId: "bd-hot", reason: "cap.day" } })).toBe(3);
    // The same batch again is a no-op: every message has left `scheduled`.
    const again = await deliverMessages(engine.ctx, ids);
    expect([...again.values()].every((o) => o.type === "skipped")).toBe(true);
    expect(await engine.ctx.prisma.message.count({ where: { learnerId: { in: ["bd-hot", "bd-cool"] }, status: "delivered" } })).toBe(3);
  });

  it("leaves messages not yet due scheduled and says when they are due", async () => {
    const event = buildEvent({ learnerId: "bd-later", courseId: "b-101", type: "video.completed" });
    await store([event]);
    await matchStoredEvents(engine.ctx, [event.id]);
    const message = await engine.ctx.prisma.message.findFirstOrThrow({ where: { learnerId: "bd-later" } });
    const dueAt = new Date(Date.now() + 3_600_000);
    await engine.ctx.prisma.message.update({ where: { id: message.id }, data: { dueAt } });
    expect((await deliverMessages(engine.ctx, [message.id])).get(message.id)).toEqual({ type: "not_due", dueAt });
    expect((await engine.ctx.prisma.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe("scheduled");
  });
});

describe("Batcher", () => {
  it("answers each caller from batches that gather what arrives while one is running", async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (keys) => {
        batches.push(keys);
        await new Promise((r) => setTimeout(r, 20));
        return keys.map((k) => k * 10);
      },
      { maxBatch: 4, maxInFlight: 1 },
    );
    const answers = await Promise.all([1, 2, 3, 4, 5, 6, 2].map((k) => batcher.submit(k)));
    expect(answers).toEqual([10, 20, 30, 40, 50, 60, 20]);
    expect(batches).toEqual([[1], [2, 3, 4, 5], [6, 2]]);
  });

  it("weighs items against maxBatch (a heavy item still goes, alone) and runs afterBatch once its callers are answered", async () => {
    const batches: number[][] = [];
    const after: Array<{ items: number[]; answered: number }> = [];
    let answered = 0;
    const batcher = new Batcher<number, string>(
      async (items) => {
        batches.push(items);
        await new Promise((r) => setTimeout(r, 20));
        return items.map((w) => `w${w}`);
      },
      {
        maxBatch: 5,
        maxInFlight: 1,
        weight: (w) => w,
        afterBatch: async (items) => {
          await Promise.resolve();
          after.push({ items, answered });
        },
      },
    );
    const answers = await Promise.all(
      [3, 3, 1, 6].map((w) =>
        batcher.submit(w).then((a) => {
          answered++;
          return a;
        }),
      ),
    );
    expect(answers).toEqual(["w3", "w3", "w1", "w6"]);
    expect(batches).toEqual([[3], [3, 1], [6]]);
    expect(after).toEqual([
      { items: [3], answered: 1 },
      { items: [3, 1], answered: 3 },
      { items: [6], answered: 4 },
    ]);
  });

  it("rejects the callers of a failed batch and of a key the batch did not answer, and keeps serving", async () => {
    let fail = true;
    const batcher = new Batcher<string, string>(
      async (keys) => {
        if (fail) throw new Error("down");
        return keys.map((k) => (k === "lost" ? undefined : k.toUpperCase()));
      },
      { maxBatch: 10, maxInFlight: 2 },
    );
    await expect(batcher.submit("a")).rejects.toThrow("down");
    fail = false;
    await expect(batcher.submit("lost")).rejects.toThrow("no answer for lost");
    await expect(batcher.submit("b")).resolves.toBe("B");
  });
});
