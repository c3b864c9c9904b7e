import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";

describe("templates and rules for content staff", () => {
  let engine: TestEngine;
  const as = (role: "author" | "analyst") => `Bearer ${engine.keys[role]}`;
  const template = (over: Record<string, unknown> = {}) => ({
    key: "growth",
    name: "Growth mindset",
    kind: "nudge",
    variants: [
      { key: "A", title: "Keep at it", body: "Hi {{learner.firstName}}", weight: 1 },
      { key: "B", title: "Mistakes grow brains", body: "{{learner.firstName}}, every error is practice.", weight: 1 },
    ],
    ...over,
  });

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("creates version 1 published, keeps versions immutable, and publishes a chosen version", async () => {
    const created = await engine.http.post("/v1/templates").set("Authorization", as("author")).send(template());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: "growth", version: 1, publishedVersion: 1, latestVersion: 1, author: "test author" });
    const v2 = await engine.http
      .put("/v1/templates/growth")
      .set("Authorization", as("author"))
      .send({ ...template(), key: undefined, name: "Growth v2" });
    expect(v2.body).toMatchObject({ version: 2, publishedVersion: 1 });
    expect((await engine.http.get("/v1/templates/growth?version=1").set("Authorization", as("analyst"))).body.name).toBe("Growth mindset");
    const published = await engine.http.post("/v1/templates/growth/publish").set("Authorization", as("author")).send({});
    expect(published.body).toMatchObject({ version: 2, publishedVersion: 2 });
    const versions = await engine.http.get("/v1/templates/growth/versions").set("Authorization", as("analyst"));
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await engine.http.post("/v1/templates").set("Authorization", as("author")).send(template())).status).toBe(409);
  });

  it.each([
    ["a syntax error", "Hi {{learner.firstName", /line 1/],
    ["an unknown helper", "{{shout learner.firstName}}", /shout/],
    ["prototype access", "{{learner.constructor.name}}", /constructor/],
    ["a partial", "{{> header}}", /partial/i],
    ["an oversize body", "x".repeat(21 * 1024), /20 KB|size|large/i],
  ])("rejects %s with 400 naming the variant's body and where", async (_name, body, message) => {
    const res = await engine.http
      .post("/v1/templates")
      .set("Authorization", as("author"))
      .send(template({ key: `bad-${Math.random().toString(36).slice(2, 7)}`, variants: [{ key: "A", title: "t", body, weight: 1 }] }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("variants[0].body");
    expect(JSON.stringify(res.body.errors)).toMatch(message);
  });

  it("previews a stored template for a real learner, with a warning for an unknown variable", async () => {
    await engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send(buildEvent({ learnerId: "grace", learner: { name: "Grace Hopper" } }));
    const res = await engine.http
      .post("/v1/templates/preview")
      .set("Authorization", as("analyst"))
      .send({ source: { body: "Hi {{learner.firstName}} from {{learner.nickname}}" }, learnerId: "grace" });
    expect(res.status).toBe(200);
    expect(res.body.body).toBe("Hi Grace from ");
    expect(res.body.warnings.join(" ")).toMatch(/learner\.nickname/);
    const stored = await engine.http.post("/v1/templates/preview").set("Authorization", as("author")).send({ templateKey: "growth", variant: "B", learnerId: "grace" });
    expect(stored.body.body).toBe("Grace, every error is practice.");
  });

  it("creates, reads, updates and soft-deletes rules; rejects bad conditions with exact paths", async () => {
    const rule = { key: "r1", name: "R1", templateKey: "growth", trigger: { eventType: "quiz.submitted", where: { all: [{ field: "event.properties.score", op: "lt", value: 0.5 }] } } };
    expect((await engine.http.post("/v1/rules").set("Authorization", as("author")).send(rule)).status).toBe(201);
    const bad = await engine.http
      .post("/v1/rules")
      .set("Authorization", as("author"))
      .send({ ...rule, key: "r2", trigger: { eventType: "quiz.submitted", where: { all: [{ field: "event.properties.score", op: "between", value: 1 }] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain("trigger.where.all[0].op");
    const badField = await engine.http
      .post("/v1/rules")
      .set("Authorization", as("author"))
      .send({ ...rule, key: "r3", trigger: { eventType: "x", where: { field: "secrets.key", op: "eq", value: 1 } } });
    expect(badField.status).toBe(400);
    const noTemplate = await engine.http
      .post("/v1/rules")
      .set("Authorization", as("author"))
      .send({ ...rule, key: "r4", templateKey: "nope" });
    expect(noTemplate.body.errors[0].path).toBe("templateKey");
    const updated = await engine.http
      .put("/v1/rules/r1")
      .set("Authorization", as("author"))
      .send({ ...rule, key: undefined, priority: 5 });
    expect(updated.body).toMatchObject({ priority: 5, version: 2 });
    expect(
      (
        await engine.http
          .post("/v1/rules")
          .set("Authorization", as("analyst"))
          .send({ ...rule, key: "r5" })
      ).status,
    ).toBe(403);
    expect((await engine.http.delete("/v1/rules/r1").set("Authorization", as("author"))).status).toBe(204);
    expect((await engine.http.get("/v1/rules/r1").set("Authorization", as("analyst"))).status).toBe(404);
    expect(await engine.ctx.prisma.rule.count({ where: { key: "r1" } })).toBe(1); // kept for analytics
  });
});
