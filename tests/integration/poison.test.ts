import { randomUUID } from "node:crypto";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { sweepOutbox } from "../../src/maintenance/sweep-outbox";

/**
 * Poison isolation: one event (or message) that always fails must not hold back the others of its batch. The
 * failure is real — a PostgreSQL trigger that raises for that one row, so the batch's single write statement
 * fails as a whole, exactly as a bad row would make it — not a mock.
 */
describe("an event or message that always fails, in a batch of 500", () => {
  let engine: TestEngine;
  const as = (role: "author" | "ingest" | "admin") => `Bearer ${engine.keys[role]}`;
  const trigger = `poison_${randomUUID().replace(/-/g, "").slice(0, 12)}`;

  beforeAll(async () => {
    // Two attempts, so the final one (where poison is marked) comes after one 0.5 s backoff.
    engine = await startTestEngine({ workers: true, env: { COACH_JOB_ATTEMPTS: "2", COACH_SWEEP_AFTER_MS: "1" } });
    expect((await engine.http.put("/v1/policy").set("Authorization", as("author")).send({ maxPerDay: 100, maxPerWeek: 100, minGapMinutes: 0, quietHours: null })).status).toBe(200);
    expect(
      (
        await engine.http
          .post("/v1/templates")
          .set("Authorization", as("author"))
          .send({ key: "poison", name: "Poison", kind: "nudge", variants: [{ key: "A", title: "Hi", body: "Hi {{learner.firstName}}", weight: 1 }] })
      ).status,
    ).toBe(201);
    expect(
      (
        await engine.http
          .post("/v1/rules")
          .set("Authorization", as("author"))
          .send({ key: "poison", name: "Poison", templateKey: "poison", trigger: { eventType: "poison.tick", courseId: "p-101" } })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await engine.ctx.database.pool.query(`DROP FUNCTION IF EXISTS ${trigger}() CASCADE`);
    await engine.close();
  });

  /** Makes every write of one row fail, as a bad row would: `when` is the trigger's WHEN condition. */
  async function poisonRows(table: "messages", timing: "BEFORE INSERT" | "BEFORE UPDATE", when: string) {
    await engine.ctx.database.pool.query(`CREATE OR REPLACE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'poisoned row % (for the test)', NEW.id; END $$`);
    await engine.ctx.database.pool.query(`CREATE TRIGGER ${trigger} ${timing} ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${trigger}()`);
  }
  const cure = () => engine.ctx.database.pool.query(`DROP TRIGGER IF EXISTS ${trigger} ON messages`);

  const build500 = (prefix: string) => Array.from({ length: 500 }, (_, i) => buildEvent({ learnerId: `${prefix}-${i}`, courseId: "p-101", type: "poison.tick", learner: { name: `P ${i}` } }));
  async function post(events: ReturnType<typeof build500>) {
    expect((await engine.http.post("/v1/events").set("Authorization", as("ingest")).send({ events })).status).toBe(202);
  }
  const delivered = (prefix: string) => engine.ctx.prisma.message.count({ where: { learnerId: { startsWith: `${prefix}-` }, status: "delivered" } });
  const metric = async (name: string, kind: string) => {
    const text = (await engine.http.get("/metrics")).text;
    return Number(new RegExp(`^${name}\\{kind="${kind}"\\} (\\d+)`, "m").exec(text)?.[1] ?? NaN);
  };

  it("an event whose matching always fails: the other 499 are delivered; it is marked failed with its reason, counted, listed, left alone by the sweeper, and retried by an operator", async () => {
    const events = build500("pe");
    const poison = events[137];
    await poisonRows("messages", "BEFORE INSERT", `NEW.event_id = '${poison.id}'`);
    try {
      await post(events);
      const poisonEvent = () => engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: poison.id } });
      await waitFor(
        async () => ({ delivered: await delivered("pe"), failedAt: (await poisonEvent()).matchFailedAt }),
        (s) => s.delivered === 499 && s.failedAt !== null,
      );
      const event = await poisonEvent();
      expect(event.matchedAt).toBeNull();
      expect(event.matchError).toContain("poisoned row");

      expect(await metric("coach_isolated_failures_total", "event")).toBe(1);
      expect(await metric("coach_failed_items", "event")).toBe(1);
      const listed = await engine.http.get("/v1/operations/failures").set("Authorization", as("admin"));
      expect(listed.status).toBe(200);
      expect(listed.body.counts.events).toBe(1);
      expect(listed.body.events).toEqual([expect.objectContaining({ id: poison.id, type: "poison.tick", learnerId: poison.learnerId, error: expect.stringContaining("poisoned row") })]);
      expect((await engine.http.get("/v1/operations/failures").set("Authorization", as("author"))).status).toBe(403);

      const swept = await sweepOutbox(engine.ctx);
      expect(swept.events).toBe(0);

      await cure();
      const retried = await engine.http
        .post("/v1/operations/failures/retry")
        .set("Authorization", as("admin"))
        .send({ eventIds: [poison.id, "no-such-event"] });
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual({ eventIds: [poison.id], messageIds: [] });
      await waitFor(
        () => delivered("pe"),
        (n) => n === 500,
      );
      expect((await poisonEvent()).matchFailedAt).toBeNull();
      expect(await engine.ctx.prisma.auditLog.count({ where: { action: "failure.retried", entityKey: poison.id } })).toBe(1);
    } finally {
      await cure();
    }
  });

  it("a message whose delivery always fails: the other 499 of its batch are delivered; it becomes `failed` with its error, listed and retried", async () => {
    await poisonRows("messages", "BEFORE UPDATE", `NEW.status = 'delivered' AND NEW.learner_id = 'pm-42'`);
    try {
      await post(build500("pm"));
      const poisoned = () => engine.ctx.prisma.message.findFirstOrThrow({ where: { learnerId: "pm-42" } });
      await waitFor(
        async () => ({ delivered: await delivered("pm"), status: (await poisoned().catch(() => null))?.status }),
        (s) => s.delivered === 499 && s.status === "failed",
      );
      const message = await poisoned();
      expect(message.error).toContain("poisoned row");
      expect(message.failedAt).not.toBeNull();
      expect(await metric("coach_isolated_failures_total", "message")).toBe(1);

      const listed = await engine.http.get("/v1/operations/failures?limit=5").set("Authorization", as("admin"));
      expect(listed.body.messages).toEqual([expect.objectContaining({ id: message.id, learnerId: "pm-42", ruleKey: "poison", error: expect.stringContaining("poisoned row") })]);
      expect((await sweepOutbox(engine.ctx)).messages).toBe(0);

      await cure();
      const retried = await engine.http
        .post("/v1/operations/failures/retry")
        .set("Authorization", as("admin"))
        .send({ messageIds: [message.id] });
      expect(retried.body).toEqual({ eventIds: [], messageIds: [message.id] });
      await waitFor(
        () => delivered("pm"),
        (n) => n === 500,
      );
    } finally {
      await cure();
    }
  });

  it("refuses a retry that names nothing, or ids that are not ids", async () => {
    const empty = await engine.http.post("/v1/operations/failures/retry").set("Authorization", as("admin")).send({});
    expect(empty.status).toBe(400);
    const bad = await engine.http
      .post("/v1/operations/failures/retry")
      .set("Authorization", as("admin"))
      .send({ messageIds: ["'; DROP TABLE messages; --"] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("messageIds[0]");
  });
});
