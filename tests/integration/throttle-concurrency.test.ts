import { randomUUID } from "node:crypto";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { createEngine, closeEngine } from "../../src/engine";
import { deliverMessage } from "../../src/delivery/deliver-message";
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

  it("delivers exactly maxPerDay of 1,000 concurrent triggers for one learner across 4 workers", async () => {
    expect((await engine.http.put("/v1/policy").set("Authorization", `Bearer ${engine.keys.author}`).send({ maxPerDay: 3, maxPerWeek: 100, minGapMinutes: 0, quietHours: null })).status).toBe(200);
    await engine.http.post("/v1/templates").set("Authorization", `Bearer ${engine.keys.author}`).send({ key: "c", name: "c", kind: "nudge", variants: [{ key: "A", title: "t", body: "b", weight: 1 }] });
    const now = new Date(Date.now() - 1000);
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await engine.ctx.prisma.message.createMany({
      data: ids.map((id) => ({ id, dedupeKey: `c|${id}`, learnerId: "hot", courseId: "c-101", ruleKey: `rule-${id.slice(0, 4)}`, templateKey: "c", templateVersion: 1, variant: "A", kind: "nudge", status: "scheduled", dueAt: now })),
    });
    // Each worker runs its share with 8 deliveries in flight, as a BullMQ worker with concurrency 8 would.
    const workers = [engine.ctx, ...others];
    const outcomes: Array<{ type: string }> = [];
    await Promise.all(workers.map(async (ctx, w) => {
      const mine = ids.filter((_, i) => i % 4 === w);
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let id = mine.shift(); id; id = mine.shift()) outcomes.push(await deliverMessage(ctx, id));
      }));
    }));
    expect(outcomes).toHaveLength(1000);
    expect(outcomes.filter((o) => o.type === "delivered")).toHaveLength(3);
    expect(await engine.ctx.prisma.message.count({ where: { learnerId: "hot", status: "delivered" } })).toBe(3);
    expect(await engine.ctx.prisma.suppression.count({ where: { learnerId: "hot", reason: "cap.day" } })).toBe(997);
  }, 120_000);
});
