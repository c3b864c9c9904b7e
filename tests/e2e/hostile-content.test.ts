import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";

/**
 * Issue 12, items 3 and 6, through the HTTP API: bounded nesting in templates and conditions on every
 * entry point, and raw output only for what staff control.
 */
const SCRIPT = '<script>alert("x")</script>';
const ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;";
const OPEN_POLICY = { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null };

/** The 15 KB body, 3,000 subexpressions deep. */
const DEEP_TEMPLATE = `Hi\n{{eq ${"(eq ".repeat(3000)}1${")".repeat(3000)} 1}}`;

function nestedNot(levels: number): unknown {
  let condition: unknown = { field: "learner.attributes.track", op: "eq", value: "paid" };
  for (let i = 0; i < levels; i++) condition = { not: condition };
  return condition;
}

describe("hostile templates and conditions over HTTP", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;
  const ingest = () => `Bearer ${engine.keys.ingest}`;
  const template = (key: string, body: string, title = "Hello") => ({ key, name: key, kind: "nudge", variants: [{ key: "A", title, body, weight: 1 }] });

  beforeAll(async () => {
    engine = await startTestEngine({ workers: true });
    expect((await engine.http.put("/v1/policy").set("Authorization", author()).send(OPEN_POLICY)).status).toBe(200);
    expect((await engine.http.post("/v1/templates").set("Authorization", author()).send(template("base", "Hi {{learner.firstName}}"))).status).toBe(201);
  });
  afterAll(async () => engine.close());

  const expectProblem = (res: { status: number; headers: Record<string, string> }) => {
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
  };

  describe("raw output of learner and event data", () => {
    it.each([
      ["{{{learner.name}}}", "learner.name"],
      ["Score: {{{event.properties.x}}}", "event.properties.x"],
      ["{{& learner.attributes.bio}}", "learner.attributes.bio"],
    ])("when a template outputs %s raw, then POST, PUT and preview answer 400 naming the field and where", async (body, field) => {
      const created = await engine.http
        .post("/v1/templates")
        .set("Authorization", author())
        .send(template(`raw-${Math.random().toString(36).slice(2, 8)}`, body));
      expectProblem(created);
      expect(created.body.errors[0].path).toBe("variants[0].body");
      expect(created.body.errors[0].message).toContain(field);
      expect(created.body.errors[0].message).toMatch(/line 1, column \d+/);
      const updated = await engine.http
        .put("/v1/templates/base")
        .set("Authorization", author())
        .send({ ...template("base", "ok"), variants: [{ key: "A", title: body, body: "ok", weight: 1 }] });
      expectProblem(updated);
      expect(updated.body.errors[0].path).toBe("variants[0].title");
      const preview = await engine.http.post("/v1/templates/preview").set("Authorization", author()).send({ source: { body } });
      expectProblem(preview);
      expect(preview.body.errors[0].path).toBe("source.body");
    });

    it("when a stored version outputs learner and event data raw, then the delivered message carries it escaped", async () => {
      // Version 2 is written to the database directly, as a version saved before the rule would be.
      const variants = [{ key: "A", title: "{{{learner.name}}}", body: "Hi {{{learner.firstName}}}, {{& event.properties.x}} [{{{insights.tip.value}}}] [{{{insights.plain.value}}}]", weight: 1 }];
      await engine.ctx.prisma.templateVersion.create({ data: { templateKey: "base", version: 99, name: "old", kind: "nudge", locale: "en", variants, author: "legacy", checksum: "x" } });
      await engine.ctx.prisma.template.update({ where: { key: "base" }, data: { latestVersion: 99 } });
      expect((await engine.http.post("/v1/templates/base/publish").set("Authorization", author()).send({ version: 99 })).status).toBe(200);
      const insights = [
        { learnerId: "mallory", key: "tip", value: "<b>Try week 3</b>", metadata: { html: true } },
        { learnerId: "mallory", key: "plain", value: SCRIPT },
      ];
      expect((await engine.http.put("/v1/insights").set("Authorization", author()).send(insights)).status).toBe(200);
      expect(
        (
          await engine.http
            .post("/v1/rules")
            .set("Authorization", author())
            .send({ key: "raw-old", name: "old", templateKey: "base", trigger: { eventType: "quiz.submitted", courseId: "raw-101" } })
        ).status,
      ).toBe(201);

      const event = buildEvent({ learnerId: "mallory", courseId: "raw-101", type: "quiz.submitted", properties: { x: SCRIPT }, learner: { name: `${SCRIPT} Mallory` } });
      expect((await engine.http.post("/v1/events").set("Authorization", ingest()).send(event)).status).toBe(202);
      const inbox = async () => (await engine.http.get("/v1/learners/mallory/messages?courseId=raw-101").set("Authorization", ingest())).body.messages as Array<Record<string, string>>;
      const [message] = await waitFor(inbox, (m) => m.length === 1);
      expect(message.title).toBe(`${ESCAPED} Mallory`);
      expect(message.body).toBe(`Hi ${ESCAPED}, ${ESCAPED} [<b>Try week 3</b>] [${ESCAPED}]`);

      const preview = await engine.http.post("/v1/templates/preview").set("Authorization", author()).send({ templateKey: "base", version: 99, learnerId: "mallory" });
      expect(preview.status).toBe(200);
      expect(preview.body.title).toBe(`${ESCAPED} Mallory`);
      expect(preview.body.body).not.toContain("<script");
    });

    it("when an insight is marked as HTML, then a template may output it raw; unmarked it is escaped", async () => {
      const saved = await engine.http.post("/v1/templates").set("Authorization", author()).send(template("insight-html", "<p>{{{insights.note.value}}}</p>"));
      expect(saved.status).toBe(201);
      const put = (metadata?: Record<string, unknown>) =>
        engine.http
          .put("/v1/insights")
          .set("Authorization", author())
          .send([{ learnerId: "ada", key: "note", value: "<em>well done</em>", ...(metadata ? { metadata } : {}) }]);
      expect((await put({ html: true })).status).toBe(200);
      const preview = () => engine.http.post("/v1/templates/preview").set("Authorization", author()).send({ templateKey: "insight-html", learnerId: "ada" });
      await engine.http
        .post("/v1/events")
        .set("Authorization", ingest())
        .send(buildEvent({ learnerId: "ada" }));
      expect((await preview()).body.body).toBe("<p><em>well done</em></p>");
      expect((await put({ model: "v2" })).status).toBe(200);
      expect((await preview()).body.body).toBe("<p>&lt;em&gt;well done&lt;/em&gt;</p>");
      const invalid = await put({ html: "yes" });
      expectProblem(invalid);
      expect(invalid.body.errors[0].path).toBe("[0].metadata.html");
    });
  });

  describe("nesting limits on every entry point", () => {
    it("when a 15 KB template nests 3,000 levels, then POST, PUT and preview answer 400 naming the limit, line and column", async () => {
      const created = await engine.http.post("/v1/templates").set("Authorization", author()).send(template("deep", DEEP_TEMPLATE));
      expectProblem(created);
      expect(created.body.errors).toEqual([{ path: "variants[0].body", line: 2, column: 6 + 4 * 32, message: expect.stringMatching(/more than 32 levels deep.*\(line 2, column 134\)/) }]);
      const updated = await engine.http.put("/v1/templates/base").set("Authorization", author()).send(template("base", DEEP_TEMPLATE));
      expectProblem(updated);
      expect(updated.body.errors[0].message).toMatch(/32 levels/);
      const preview = await engine.http
        .post("/v1/templates/preview")
        .set("Authorization", author())
        .send({ source: { title: DEEP_TEMPLATE, body: "x" } });
      expectProblem(preview);
      expect(preview.body.errors[0]).toMatchObject({ path: "source.title", message: expect.stringMatching(/32 levels.*line 2/) });
    });

    it("when a stored version is too deep, then preview answers 400 instead of parsing it", async () => {
      const variants = [{ key: "A", title: "t", body: DEEP_TEMPLATE, weight: 1 }];
      await engine.ctx.prisma.template.create({ data: { key: "deep-old", name: "deep", kind: "nudge", latestVersion: 1, publishedVersion: 1 } });
      await engine.ctx.prisma.templateVersion.create({ data: { templateKey: "deep-old", version: 1, name: "deep", kind: "nudge", locale: "en", variants, author: "legacy", checksum: "x" } });
      const preview = await engine.http.post("/v1/templates/preview").set("Authorization", author()).send({ templateKey: "deep-old" });
      expectProblem(preview);
      expect(JSON.stringify(preview.body)).toMatch(/32 levels/);
    });

    it("when a rule's where nests 1,000 `not` (or 55, within the body's depth limit), then create and update answer 400 naming the limit and where it is crossed", async () => {
      const rule = { key: "deep-rule", name: "deep", templateKey: "base", trigger: { eventType: "quiz.submitted", where: nestedNot(55) } };
      const created = await engine.http.post("/v1/rules").set("Authorization", author()).send(rule);
      expectProblem(created);
      expect(created.body.errors).toEqual([{ path: `trigger.where${".not".repeat(10)}`, message: "Conditions may nest at most 10 levels deep" }]);
      expectProblem(
        await engine.http
          .post("/v1/rules")
          .set("Authorization", author())
          .send({ ...rule, trigger: { eventType: "quiz.submitted", where: nestedNot(1000) } }),
      );
      expect(
        (
          await engine.http
            .post("/v1/rules")
            .set("Authorization", author())
            .send({ ...rule, trigger: { eventType: "quiz.submitted" } })
        ).status,
      ).toBe(201);
      const { key: _key, ...definition } = rule;
      const updated = await engine.http.put("/v1/rules/deep-rule").set("Authorization", author()).send(definition);
      expectProblem(updated);
      expect(updated.body.errors[0].message).toMatch(/10 levels/);
      const wide = await engine.http
        .put("/v1/rules/deep-rule")
        .set("Authorization", author())
        .send({ ...definition, trigger: { eventType: "quiz.submitted", where: { all: Array.from({ length: 10_000 }, () => ({ field: "event.properties.score", op: "lt", value: 1 })) } } });
      expectProblem(wide);
      expect(wide.body.errors).toEqual([{ path: "trigger.where.all", message: '"all" may list at most 200 conditions' }]);
    });

    it("when an attribute segment's conditions nest 1,000 `not` (or 55), then create and update answer 400", async () => {
      expectProblem(
        await engine.http
          .post("/v1/segments")
          .set("Authorization", author())
          .send({ key: "deep-seg", name: "deep", type: "attributes", conditions: nestedNot(1000) }),
      );
      const created = await engine.http
        .post("/v1/segments")
        .set("Authorization", author())
        .send({ key: "deep-seg", name: "deep", type: "attributes", conditions: nestedNot(55) });
      expectProblem(created);
      expect(created.body.errors[0]).toEqual({ path: `conditions${".not".repeat(10)}`, message: "Conditions may nest at most 10 levels deep" });
      expect(
        (
          await engine.http
            .post("/v1/segments")
            .set("Authorization", author())
            .send({ key: "deep-seg", name: "deep", type: "attributes", conditions: nestedNot(2) })
        ).status,
      ).toBe(201);
      const updated = await engine.http
        .put("/v1/segments/deep-seg")
        .set("Authorization", author())
        .send({ conditions: nestedNot(55) });
      expectProblem(updated);
      expect(updated.body.errors[0].message).toMatch(/10 levels/);
    });
  });
});
