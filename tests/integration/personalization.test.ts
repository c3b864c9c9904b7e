import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { matchStoredEvent } from "../../src/matching/match-stored-event";
import { deliverMessage } from "../../src/delivery/deliver-message";

describe("segments and insights in rules and templates", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;

  async function trigger(learnerId: string, learner: Record<string, unknown> = {}) {
    const event = buildEvent({ learnerId, courseId: "p-101", type: "module.completed", learner });
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(event)).status).toBe(202);
    await matchStoredEvent(engine.ctx, event.id);
    const messages = await engine.ctx.prisma.message.findMany({ where: { learnerId } });
    for (const m of messages) await deliverMessage(engine.ctx, m.id);
    return engine.ctx.prisma.message.findMany({ where: { learnerId } });
  }

  beforeAll(async () => {
    engine = await startTestEngine();
    await engine.http.put("/v1/policy").set("Authorization", author()).send({ quietHours: null, minGapMinutes: 0, maxPerDay: 100, maxPerWeek: 100 });
    await engine.http
      .post("/v1/templates")
      .set("Authorization", author())
      .send({
        key: "next-up",
        name: "Next up",
        kind: "nudge",
        variants: [{ key: "A", title: "Next", body: "{{#if insights.nextModule}}Try {{insights.nextModule.value.title}} next{{else}}Keep going{{/if}}, {{learner.firstName}}", weight: 1 }],
      });
    const segment = await engine.http
      .post("/v1/segments")
      .set("Authorization", author())
      .send({ key: "paid", name: "Paid", type: "attributes", conditions: { field: "learner.attributes.track", op: "eq", value: "paid" } });
    expect(segment.status).toBe(201);
    expect(
      (
        await engine.http
          .post("/v1/rules")
          .set("Authorization", author())
          .send({ key: "paid-next", name: "Paid next", templateKey: "next-up", segmentKey: "paid", trigger: { eventType: "module.completed", courseId: "p-101" } })
      ).status,
    ).toBe(201);
    expect(
      (
        await engine.http
          .post("/v1/rules")
          .set("Authorization", author())
          .send({
            key: "risky",
            name: "Risky",
            templateKey: "next-up",
            priority: 50,
            trigger: { eventType: "module.completed", courseId: "p-101", where: { field: "insights.dropoutRisk.score", op: "gte", value: 0.8 } },
          })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => engine.close());

  it("reaches members of an attribute segment only, and records `segment` for the others", async () => {
    const paid = await trigger("pat", { name: "Pat Paid", attributes: { track: "paid" } });
    expect(paid.map((m) => [m.ruleKey, m.status])).toEqual([["paid-next", "delivered"]]);
    const free = await trigger("fred", { name: "Fred Free", attributes: { track: "free" } });
    expect(free).toEqual([]);
    const suppression = await engine.ctx.prisma.suppression.findFirstOrThrow({ where: { learnerId: "fred" } });
    expect(suppression).toMatchObject({ reason: "segment", ruleKey: "paid-next" });
    const listed = await engine.http.get("/v1/segments/paid/members").set("Authorization", author());
    expect(listed.body.members.map((m: { learnerId: string }) => m.learnerId)).toEqual(["pat"]);
  });

  it("lists attribute-segment members in SQL with the matcher's semantics", async () => {
    await engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send({
        events: [
          buildEvent({ learnerId: "a1", courseId: "p-101", learner: { attributes: { track: "paid", level: 3, tags: ["ml", "py"] } } }),
          buildEvent({ learnerId: "a2", courseId: "p-101", learner: { attributes: { track: "paid", level: 1 } } }),
          buildEvent({ learnerId: "a3", courseId: "p-101", learner: { locale: "pt-BR", attributes: { track: "free", level: 5, tags: ["py"] } } }),
        ],
      });
    const cases: Array<[unknown, string[]]> = [
      [
        {
          all: [
            { field: "learner.attributes.track", op: "eq", value: "paid" },
            { field: "learner.attributes.level", op: "gte", value: 2 },
          ],
        },
        ["a1"],
      ],
      [{ field: "learner.attributes.tags", op: "contains", value: "py" }, ["a1", "a3"]],
      [{ field: "learner.locale", op: "in", value: ["pt-BR", "pt"] }, ["a3"]],
      [{ not: { field: "learner.attributes.track", op: "eq", value: "paid" } }, ["a3", "fred", "ivy", "sam"]],
      [{ field: "state.eventCount", op: "gte", value: 1 }, ["a1", "a2", "a3", "fred", "ivy", "pat", "sam"]],
    ];
    for (const [i, [conditions, expected]] of cases.entries()) {
      const key = `attr-${i}`;
      expect((await engine.http.post("/v1/segments").set("Authorization", author()).send({ key, name: key, type: "attributes", conditions })).status).toBe(201);
      const listed = await engine.http.get(`/v1/segments/${key}/members?limit=100`).set("Authorization", author());
      // Only the a* learners are controlled here; the others come from earlier tests of this file.
      const listedA = listed.body.members.map((m: { learnerId: string }) => m.learnerId).filter((id: string) => /^a\d$/.test(id));
      expect(listedA).toEqual(expected.filter((id) => /^a\d$/.test(id)));
    }
    const bad = await engine.http
      .post("/v1/segments")
      .set("Authorization", author())
      .send({ key: "by-event", name: "x", type: "attributes", conditions: { field: "event.type", op: "eq", value: "x" } });
    expect(bad.status).toBe(400);
  });

  it("uses an insight in a rule's condition and personalizes the template from insights", async () => {
    await engine.http
      .put("/v1/insights")
      .set("Authorization", author())
      .send([
        { learnerId: "ivy", courseId: "p-101", key: "dropoutRisk", value: "high", score: 0.9 },
        { learnerId: "ivy", key: "nextModule", value: { id: "week-3", title: "Decision trees" } },
        { learnerId: "sam", courseId: "p-101", key: "dropoutRisk", value: "low", score: 0.1 },
      ]);
    const ivy = await trigger("ivy", { name: "Ivy Insight" });
    expect(ivy.map((m) => [m.ruleKey, m.body])).toEqual([["risky", "Try Decision trees next, Ivy"]]);
    const sam = await trigger("sam", { name: "Sam Safe" });
    expect(sam).toEqual([]);
  });
});

describe("locale fallback through delivery", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
    const author = `Bearer ${engine.keys.author}`;
    await engine.http.put("/v1/policy").set("Authorization", author).send({ quietHours: null, minGapMinutes: 0 });
    const t = await engine.http
      .post("/v1/templates")
      .set("Authorization", author)
      .send({
        key: "hello",
        name: "Hello",
        kind: "nudge",
        locale: "en",
        variants: [
          {
            key: "A",
            title: "Hello",
            body: "Welcome, {{learner.firstName}}",
            weight: 1,
            locales: { "pt-BR": { title: "Olá", body: "Bem-vindo ao curso, {{learner.firstName}}" }, pt: { title: "Olá", body: "Bem-vindo, {{learner.firstName}}" } },
          },
        ],
      });
    expect(t.status).toBe(201);
    await engine.http
      .post("/v1/rules")
      .set("Authorization", author)
      .send({ key: "hello", name: "Hello", templateKey: "hello", trigger: { eventType: "course.enrolled" } });
  });
  afterAll(async () => engine.close());

  it.each([
    ["pt-BR", "Bem-vindo ao curso, Ana"],
    ["pt-PT", "Bem-vindo, Ana"],
    ["pt", "Bem-vindo, Ana"],
    ["fr", "Welcome, Ana"],
  ])("a learner with locale %s receives the right copy", async (locale, expected) => {
    const learnerId = `ana-${locale}`;
    const event = buildEvent({ learnerId, type: "course.enrolled", learner: { name: "Ana Silva", locale } });
    await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(event);
    await matchStoredEvent(engine.ctx, event.id);
    const [message] = await engine.ctx.prisma.message.findMany({ where: { learnerId } });
    await deliverMessage(engine.ctx, message.id);
    expect((await engine.ctx.prisma.message.findUniqueOrThrow({ where: { id: message.id } })).body).toBe(expected);
  });
});
