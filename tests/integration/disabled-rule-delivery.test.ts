/**
 * Disabling a misfiring rule stops what it already scheduled, not only what it would match next: a message
 * waiting for its delay (or in a backlog) when the rule is disabled is suppressed at delivery as
 * `rule.disabled`, never delivered.
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";

describe("a rule disabled while its messages wait", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;

  beforeAll(async () => {
    engine = await startTestEngine({ workers: true });
    await engine.http.put("/v1/policy").set("Authorization", author()).send({ maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null });
    await engine.http
      .post("/v1/templates")
      .set("Authorization", author())
      .send({ key: "later", name: "Later", kind: "nudge", variants: [{ key: "A", title: "Later", body: "Hi", weight: 1 }] });
    const rule = await engine.http
      .post("/v1/rules")
      .set("Authorization", author())
      .send({ key: "later", name: "Later", templateKey: "later", delaySeconds: 2, trigger: { eventType: "video.completed", courseId: "dis-101" } });
    expect(rule.status).toBe(201);
  });
  afterAll(async () => engine.close());

  it("suppresses its scheduled messages with the reason rule.disabled", async () => {
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send({ events: [1, 2, 3].map((i) => buildEvent({ learnerId: `dis-${i}`, courseId: "dis-101", type: "video.completed" })) });
    expect(res.status).toBe(202);
    await waitFor(
      () => engine.ctx.prisma.message.count({ where: { ruleKey: "later", status: "scheduled" } }),
      (n) => n === 3,
    );
    const rule = (await engine.http.get("/v1/rules/later").set("Authorization", author())).body;
    expect(
      (
        await engine.http
          .put("/v1/rules/later")
          .set("Authorization", author())
          .send({ ...rule, enabled: false })
      ).status,
    ).toBe(200);
    const settled = await waitFor(
      () => engine.ctx.prisma.message.findMany({ where: { ruleKey: "later" } }),
      (ms) => ms.every((m) => m.status !== "scheduled"),
    );
    expect(settled.map((m) => [m.status, m.error])).toEqual([
      ["suppressed", "rule.disabled"],
      ["suppressed", "rule.disabled"],
      ["suppressed", "rule.disabled"],
    ]);
    expect(await engine.ctx.prisma.suppression.count({ where: { ruleKey: "later", reason: "rule.disabled" } })).toBe(3);
  });
});
