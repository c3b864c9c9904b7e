/**
 * The API the studio adds for content staff, against a real engine: who a key is (GET /v1/me), the pickers'
 * catalog (event types with their latest properties, recent events, courses, learners), a rule's test-match
 * against a stored event (read-only, step by step), the live count of an unsaved attribute segment, where a
 * template is used, the preview of unsaved copy (call to action, objects printed as text, the context), and
 * "Try it as a learner" (demo learners in daylight, their token, their events; staff keys only).
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { ManualClock } from "../../src/lib/clock";
import { seedBuiltins } from "../../src/seed/seed-builtins";
import { quietHoursEnd, wallTime } from "../../src/throttle/local-time";
import { buildStudio } from "../setup/studio";

describe("the studio's API for content staff", () => {
  let engine: TestEngine;
  // 23:30 UTC: night in Europe and Africa, so a demo learner placed there would wait for the morning.
  const clock = new ManualClock("2026-12-02T23:30:00Z");
  const as = (role: "author" | "analyst" | "ingest" | "admin") => `Bearer ${engine.keys[role]}`;
  const post = async (over: Parameters<typeof buildEvent>[0]) => {
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", as("ingest"))
      .send(buildEvent({ occurredAt: clock.now().toISOString(), ...over }));
    expect(res.status).toBe(202);
  };
  const counts = async () => ({ messages: await engine.ctx.prisma.message.count(), suppressions: await engine.ctx.prisma.suppression.count() });

  beforeAll(async () => {
    buildStudio();
    engine = await startTestEngine({ clock });
    await seedBuiltins(engine.ctx);
    await post({
      id: "e1",
      learnerId: "ada",
      courseId: "ml-101",
      type: "quiz.submitted",
      properties: { score: 0.4, passed: false },
      learner: { name: "Ada Lovelace", locale: "en", attributes: { track: "paid" } },
    });
    clock.advance(60_000);
    await post({ id: "e2", learnerId: "grace", courseId: "ml-101", type: "quiz.submitted", properties: { score: 0.9, passed: true }, learner: { name: "Grace Hopper", locale: "fr" } });
    clock.advance(60_000);
    await post({ id: "e3", learnerId: "ada", courseId: "web-101", type: "video.completed", properties: { seconds: 310 } });
    await post({ id: "e4", learnerId: "adam", courseId: "ml-101", type: "course.enrolled", learner: { name: "Adam" } });
  });
  afterAll(async () => engine.close());

  it("serves the studio at /admin/ with the API's security headers, and a problem for anything else", async () => {
    expect((await engine.http.get("/admin")).headers.location).toBe("/admin/");
    const page = await engine.http.get("/admin/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.headers["content-security-policy"]).toMatch(/script-src 'self'/);
    expect(page.text).toContain('src="./studio.js"');
    const script = await engine.http.get("/admin/studio.js");
    expect([script.status, script.headers["content-type"]]).toEqual([200, expect.stringMatching(/javascript/)]);
    const missing = await engine.http.get("/admin/nothing-here.js");
    expect([missing.status, missing.headers["content-type"]]).toEqual([404, expect.stringMatching(/problem\+json/)]);
  });

  it("tells a key its name and role, and refuses learner tokens and missing keys", async () => {
    for (const role of ["ingest", "author", "analyst", "admin"] as const) {
      const me = await engine.http.get("/v1/me").set("Authorization", as(role));
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ name: `test ${role}`, role });
    }
    expect((await engine.http.get("/v1/me")).status).toBe(401);
    const token = (await engine.http.post("/v1/learner-tokens").set("Authorization", as("ingest")).send({ learnerId: "ada" })).body.token;
    expect((await engine.http.get("/v1/me").set("Authorization", `Bearer ${token}`)).status).toBe(403);
  });

  it("lists the event types a course has seen, newest first, with the latest event's properties", async () => {
    const ml = await engine.http.get("/v1/event-types?courseId=ml-101").set("Authorization", as("author"));
    expect(ml.body.eventTypes.map((t: { type: string }) => t.type)).toEqual(["course.enrolled", "quiz.submitted"]);
    expect(ml.body.eventTypes[1].latest).toMatchObject({ id: "e2", learnerId: "grace", properties: { score: 0.9, passed: true } });
    const all = await engine.http.get("/v1/event-types").set("Authorization", as("analyst"));
    expect(all.body.eventTypes.map((t: { type: string }) => t.type).sort()).toEqual(["course.enrolled", "quiz.submitted", "video.completed"]);
    expect((await engine.http.get("/v1/event-types?courseId=nowhere").set("Authorization", as("author"))).body.eventTypes).toEqual([]);
    expect((await engine.http.get("/v1/event-types").set("Authorization", as("ingest"))).status).toBe(403);
  });

  it("lists recent stored events by type, course or learner, and courses and learners to pick from", async () => {
    const ids = async (query: string) => (await engine.http.get(`/v1/events?${query}`).set("Authorization", as("author"))).body.events.map((e: { id: string }) => e.id);
    expect(await ids("type=quiz.submitted")).toEqual(["e2", "e1"]);
    expect(await ids("type=quiz.submitted&limit=1")).toEqual(["e2"]);
    expect(await ids("courseId=web-101")).toEqual(["e3"]);
    expect(await ids("learnerId=ada")).toEqual(["e3", "e1"]);
    expect(await ids("learnerId=ada&type=quiz.submitted")).toEqual(["e1"]);
    expect((await engine.http.get("/v1/events?limit=1000").set("Authorization", as("author"))).status).toBe(400);
    const courses = await engine.http.get("/v1/courses").set("Authorization", as("author"));
    expect(courses.body.courses.map((c: { courseId: string }) => c.courseId)).toEqual(["ml-101", "web-101"]);
    const learners = async (query: string) => (await engine.http.get(`/v1/learners?${query}`).set("Authorization", as("author"))).body.learners.map((l: { id: string }) => l.id);
    expect(await learners("q=ada")).toEqual(["ada", "adam"]);
    expect(await learners("q=ad&courseId=web-101")).toEqual(["ada"]);
    // The prefix is text, never a pattern.
    expect(await learners("q=%25")).toEqual([]);
    expect(await learners("q=_")).toEqual([]);
    expect((await learners("")).sort()).toEqual(["ada", "adam", "grace"]);
  });

  it("test-matches a rule against a stored event, step by step, without writing anything", async () => {
    const before = await counts();
    const fires = await engine.http.post("/v1/rules/quiz-retry/test-match").set("Authorization", as("analyst")).send({ eventId: "e1" });
    expect(fires.status).toBe(200);
    expect(fires.body).toMatchObject({
      wouldFire: true,
      trigger: { passed: true },
      segment: null,
      conditions: { passed: true, leaves: [{ field: "event.properties.passed", op: "eq", value: false, actual: false, passed: true }] },
      decision: { outcome: "send", templateKey: "quiz-retry", templateVersion: 1, heldOut: false },
    });
    const passed = await engine.http.post("/v1/rules/quiz-retry/test-match").set("Authorization", as("author")).send({ eventId: "e2" });
    expect(passed.body).toMatchObject({ wouldFire: false, conditions: { passed: false, leaves: [{ actual: true, passed: false }] } });
    expect(passed.body.summary).toMatch(/conditions do not hold/);
    const wrongType = await engine.http.post("/v1/rules/quiz-retry/test-match").set("Authorization", as("author")).send({ eventId: "e3" });
    expect(wrongType.body).toMatchObject({ wouldFire: false, trigger: { passed: false, reason: "the rule listens for quiz.submitted, this event is video.completed" } });
    expect(await counts()).toEqual(before);
  });

  it("says what the throttle would say now, and why a segment or a disabled rule stops it", async () => {
    await engine.http
      .post("/v1/segments")
      .set("Authorization", as("author"))
      .send({ key: "french", name: "French", type: "attributes", conditions: { all: [{ field: "learner.locale", op: "eq", value: "fr" }] } })
      .expect(201);
    await engine.http
      .post("/v1/rules")
      .set("Authorization", as("author"))
      .send({ key: "fr-only", name: "French only", templateKey: "quiz-retry", segmentKey: "french", enabled: false, trigger: { eventType: "quiz.submitted" } })
      .expect(201);
    const disabled = await engine.http.post("/v1/rules/fr-only/test-match").set("Authorization", as("author")).send({ eventId: "e1" });
    expect(disabled.body).toMatchObject({ wouldFire: false, segment: { key: "french", member: false } });
    expect(disabled.body.summary).toBe("No: the rule is disabled.");
    // A delivery of quiz-retry to ada a minute ago: its cooldown now refuses the rule.
    await engine.ctx.prisma.message.create({
      data: {
        id: "00000000-0000-4000-8000-0000000000a1",
        dedupeKey: "manual-1",
        learnerId: "ada",
        ruleKey: "quiz-retry",
        templateKey: "quiz-retry",
        templateVersion: 1,
        variant: "A",
        kind: "nudge",
        status: "delivered",
        dueAt: clock.now(),
        createdAt: clock.now(),
        deliveredAt: clock.now(),
      },
    });
    const throttled = await engine.http.post("/v1/rules/quiz-retry/test-match").set("Authorization", as("author")).send({ eventId: "e1" });
    expect(throttled.body).toMatchObject({ wouldFire: false, conditions: { passed: true }, decision: { outcome: "skip", reason: "cooldown" } });
    expect(throttled.body.summary).toMatch(/would not be sent now: cooldown/);
  });

  it("answers a test-match's mistakes with 400 on the field, 404 for an unknown rule, 403 for ingest", async () => {
    const unknownEvent = await engine.http.post("/v1/rules/quiz-retry/test-match").set("Authorization", as("author")).send({ eventId: "nope" });
    expect([unknownEvent.status, unknownEvent.body.errors[0].path]).toEqual([400, "eventId"]);
    const inactivity = await engine.http.post("/v1/rules/we-miss-you/test-match").set("Authorization", as("author")).send({ eventId: "e1" });
    expect([inactivity.status, inactivity.body.errors?.[0]?.path]).toEqual([400, "eventId"]);
    expect((await engine.http.post("/v1/rules/nope/test-match").set("Authorization", as("author")).send({ eventId: "e1" })).status).toBe(404);
    expect((await engine.http.post("/v1/rules/quiz-retry/test-match").set("Authorization", as("author")).send({})).status).toBe(400);
    expect((await engine.http.post("/v1/rules/quiz-retry/test-match").set("Authorization", as("ingest")).send({ eventId: "e1" })).status).toBe(403);
  });

  it("counts an unsaved attribute segment, and names the bad part of one", async () => {
    const count = (conditions: unknown) => engine.http.post("/v1/segments/count").set("Authorization", as("author")).send({ conditions });
    expect((await count({ all: [{ field: "learner.locale", op: "eq", value: "en" }] })).body).toEqual({ count: 1, capped: false, timedOut: false });
    expect(
      (
        await count({
          any: [
            { field: "learner.attributes.track", op: "eq", value: "paid" },
            { field: "learner.locale", op: "eq", value: "fr" },
          ],
        })
      ).body.count,
    ).toBe(2);
    const bad = await count({ all: [{ field: "learner.locale", op: "between", value: 1 }] });
    expect([bad.status, bad.body.errors[0].path]).toEqual([400, "conditions.all[0].op"]);
    const matchTimeOnly = await count({ all: [{ field: "event.type", op: "eq", value: "x" }] });
    expect(matchTimeOnly.status).toBe(400);
    const deep = await count(JSON.parse(`${'{"not":'.repeat(40)}{"field":"learner.id","op":"exists"}${"}".repeat(40)}`));
    expect(deep.status).toBe(400);
  });

  it("tells where a template is used: its rules and latest deliveries", async () => {
    const usage = await engine.http.get("/v1/templates/quiz-retry/usage").set("Authorization", as("analyst"));
    expect(usage.body.rules.map((r: { key: string }) => r.key)).toEqual(["fr-only", "quiz-retry"]);
    expect(usage.body.deliveries).toEqual([expect.objectContaining({ learnerId: "ada", ruleKey: "quiz-retry", variant: "A", templateVersion: 1 })]);
    expect((await engine.http.get("/v1/templates/nope/usage").set("Authorization", as("author"))).status).toBe(404);
  });

  it("previews unsaved copy with its call to action, flags objects printed as text, and returns the context", async () => {
    const preview = await engine.http
      .post("/v1/templates/preview")
      .set("Authorization", as("author"))
      .send({
        learnerId: "ada",
        courseId: "ml-101",
        context: { event: { type: "quiz.submitted", properties: { score: 0.4 } } },
        source: {
          title: "Hi {{learner.firstName}}",
          body: "{{learner.attributes}} {{event.properties.score}} {{learner.frstName}}",
          cta: { label: "Go {{learner.firstName}}", url: "/courses/{{course.id}}?a=1&b=2" },
        },
      });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ title: "Hi Ada", cta: { label: "Go Ada", url: "/courses/ml-101?a=1&b=2" } });
    expect(preview.body.problems).toEqual(
      expect.arrayContaining([
        { field: "body", kind: "object", variable: "learner.attributes", line: 1, column: 3 },
        expect.objectContaining({ field: "body", kind: "unknown", variable: "learner.frstName" }),
      ]),
    );
    expect(preview.body.warnings.join(" ")).toMatch(/learner\.attributes is an object/);
    expect(preview.body.context.learner).toMatchObject({ id: "ada", firstName: "Ada", attributes: { track: "paid" } });
    const badCta = await engine.http
      .post("/v1/templates/preview")
      .set("Authorization", as("author"))
      .send({ source: { body: "x", cta: { label: "Go", url: "javascript:alert(1)" } } });
    expect(badCta.body.cta).toBeNull();
    expect(badCta.body.warnings.join(" ")).toMatch(/CTA URL/);
    const syntax = await engine.http
      .post("/v1/templates/preview")
      .set("Authorization", as("author"))
      .send({ source: { body: "ok", cta: { label: "{{#if}}", url: "/" } } });
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors[0]).toMatchObject({ path: "source.cta.label", line: 1 });
  });

  describe("Try it as a learner", () => {
    it("gives a demo learner in daylight a token and the welcome nudge at once, even at night in Europe", async () => {
      const demo = await engine.http.post("/v1/demo/learner").set("Authorization", as("author")).send({});
      expect(demo.status).toBe(200);
      expect(demo.body.learnerId).toMatch(/^demo-[0-9a-f]{10}$/);
      const now = clock.now();
      expect(quietHoursEnd(now, demo.body.timeZone, "22:00", "08:00")).toBeNull();
      expect(demo.body.localTime).toBe(`${String(wallTime(now, demo.body.timeZone).hour).padStart(2, "0")}:${String(wallTime(now, demo.body.timeZone).minute).padStart(2, "0")}`);
      const sent = await engine.http.post("/v1/demo/events").set("Authorization", as("author")).send({ learnerId: demo.body.learnerId, type: "course.enrolled" });
      expect(sent.status).toBe(202);
      await engine.startWorkers();
      const welcome = await waitFor(
        () => engine.ctx.prisma.message.findFirst({ where: { learnerId: demo.body.learnerId, templateKey: "welcome" } }),
        (m) => m?.status === "delivered",
      );
      expect(welcome!.title).toBe("Welcome, Ada!");
      const inbox = await engine.http.get(`/v1/learners/${demo.body.learnerId}/messages`).set("Authorization", `Bearer ${demo.body.token}`);
      expect(inbox.body.messages.map((m: { templateKey: string }) => m.templateKey)).toEqual(["welcome"]);
      const activity = await engine.http.get(`/v1/demo/learners/${demo.body.learnerId}`).set("Authorization", as("admin"));
      expect(activity.body.messages).toEqual([expect.objectContaining({ templateKey: "welcome", status: "delivered" })]);
      expect(activity.body.learner.timeZone).toBe(demo.body.timeZone);
      // A fresh token for the same learner keeps their zone.
      const again = await engine.http.post("/v1/demo/learner").set("Authorization", as("author")).send({ learnerId: demo.body.learnerId });
      expect(again.body).toMatchObject({ learnerId: demo.body.learnerId, timeZone: demo.body.timeZone });
    });

    it("is for staff keys only, and posts only the lesson's events for demo learners", async () => {
      for (const role of ["ingest", "analyst"] as const) {
        expect((await engine.http.post("/v1/demo/learner").set("Authorization", as(role)).send({})).status).toBe(403);
        expect((await engine.http.post("/v1/demo/events").set("Authorization", as(role)).send({ learnerId: "demo-0123456789", type: "course.enrolled" })).status).toBe(403);
      }
      expect((await engine.http.post("/v1/demo/learner").send({})).status).toBe(401);
      const realLearner = await engine.http.post("/v1/demo/events").set("Authorization", as("author")).send({ learnerId: "ada", type: "course.enrolled" });
      expect([realLearner.status, realLearner.body.errors[0].path]).toEqual([400, "learnerId"]);
      const otherType = await engine.http.post("/v1/demo/events").set("Authorization", as("author")).send({ learnerId: "demo-0123456789", type: "course.completed" });
      expect([otherType.status, otherType.body.errors[0].path]).toEqual([400, "type"]);
      expect((await engine.http.get("/v1/demo/learners/ada").set("Authorization", as("author"))).status).toBe(400);
      expect((await engine.http.post("/v1/demo/learner").set("Authorization", as("author")).send({ learnerId: "ada" })).status).toBe(400);
    });
  });
});
