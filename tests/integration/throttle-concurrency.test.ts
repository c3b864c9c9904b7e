import { randomUUID } from "node:crypto";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { createEngine, closeEngine } from "../../src/engine";
import { deliverMessage, deliverMessages } from "../../src/delivery/deliver-message";
import type { EngineContext } from "../../src/context";

describe("caps under concurrency", () => {
  let engine: TestEngine;
  const others: EngineContext[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    // Four "workers": four engine contexts, each with its own connection pool, on the same database.
    for (let i = 0; i < 3; i++) others.push(await createEngine(engine.ctx.config));
  });
  afterAll(async () => {
    for (const ctx of others) await closeEngine(ctx);
    await engine.close();
  });

  async function scheduleFor(learnerId: string): Promise<string[]> {
    const now = new Date(Date.now() - 1000);
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await engine.ctx.prisma.message.createMany({
      data: ids.map((id) => ({
        id,
        dedupeKey: `c|${id}`,
        learnerId,
        courseId: "c-101",
        ruleKey: `rule-${id.slice(0, 4)}`,
        templateKey: "c",
        templateVersion: 1,
        variant: "A",
        kind: "nudge",
        status: "scheduled",
        dueAt: now,
      })),
    });
    return ids;
  }

  async function expectExactlyCapped(learnerId: string, outcomes: Array<{ type: string }>) {
    expect(outcomes).toHaveLength(1000);
    expect(outcomes.filter((o) => o.type === "delivered")).toHaveLength(3);
    expect(await engine.ctx.prisma.message.count({ where: { learnerId, status: "delivered" } })).toBe(3);
    expect(await engine.ctx.prisma.suppression.count({ where: { learnerId, reason: "cap.day" } })).toBe(997);
  }

  beforeAll(async () => {
    expect((await engine.http.put("/v1/policy").set("Authorization", `Bearer ${engine.keys.author}`).send({ maxPerDay: 3, maxPerWeek: 100, minGapMinutes: 0, quietHours: null })).status).toBe(200);
    await engine.http
      .post("/v1/templates")
      .set("Authorization", `Bearer ${engine.keys.author}`)
      .send({ key: "c", name: "c", kind: "nudge", variants: [{ key: "A", title: "t", body: "b", weight: 1 }] });
  });

  it("delivers exactly maxPerDay of 1,000 concurrent triggers for one learner across 4 workers", async () => {
    const ids = await scheduleFor("hot");
    // Each worker runs its share with 8 deliveries in flight, one message each.
    const workers = [engine.ctx, ...others];
    const outcomes: Array<{ type: string }> = [];
    await Promise.all(
      workers.map(async (ctx, w) => {
        const mine = ids.filter((_, i) => i % 4 === w);
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let id = mine.shift(); id; id = mine.shift()) outcomes.push(await deliverMessage(ctx, id));
          }),
        );
      }),
    );
    await expectExactlyCapped("hot", outcomes);
  });

  it("delivers exactly maxPerDay when the 4 workers deliver them in batches of 64, two batches in flight each", async () => {
    const ids = await scheduleFor("hot-batches");
    const workers = [engine.ctx, ...others];
    const outcomes: Array<{ type: string }> = [];
    await Promise.all(
      workers.map(async (ctx, w) => {
        const mine = ids.filter((_, i) => i % 4 === w);
        await Promise.all(
          Array.from({ length: 2 }, async () => {
            for (let batch = mine.splice(0, 64); batch.length; batch = mine.splice(0, 64)) {
              const result = await deliverMessages(ctx, batch);
              // A batch that kept losing to the others says so; its job would be retried: retry it here.
              const contended = batch.filter((id) => result.get(id)?.type === "contended");
              outcomes.push(...batch.filter((id) => !contended.includes(id)).map((id) => result.get(id)!));
              mine.push(...contended);
            }
          }),
        );
      }),
    );
    await expectExactlyCapped("hot-batches", outcomes);
  });
});
