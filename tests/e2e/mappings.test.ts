/** The mapping store through its API: shipped defaults, overrides, custom mappings, validation, and their effect on ingest. */
import { randomUUID } from "node:crypto";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import * as f from "../factories/standards";

const DOODLED = "https://example.com/verbs/doodled";

describe("GET/PUT /v1/mappings", () => {
  let engine: TestEngine;
  const as = (role: "author" | "analyst" | "ingest") => `Bearer ${engine.keys[role]}`;
  const statement = (verb: string, extra: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    actor: { account: { homePage: "https://lms.example", name: "map-1" } },
    verb: { id: verb },
    object: { id: "https://lms.example/art/42", definition: { type: "https://example.com/types/sketch" } },
    context: { extensions: { "https://lms.example/ext/course": "https://lms.example/c/art-101?term=2026" } },
    ...extra,
  });
  const sendXapi = (body: unknown) =>
    engine.http
      .post("/xapi/statements")
      .set("Authorization", as("ingest"))
      .set("X-Experience-API-Version", "1.0.3")
      .send(body as object);
  const doodle = {
    key: "lms.doodled",
    source: "xapi",
    match: { verb: DOODLED },
    eventType: "art.doodled",
    fields: { course: [{ path: 'context.extensions["https://lms.example/ext/course"]', pattern: "/c/([^?]+)" }], score: [{ value: 1 }] },
    description: "Our LMS's sketching tool",
  };

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("lists the shipped mappings and the default field sources to analysts; only authors may change them", async () => {
    const res = await engine.http.get("/v1/mappings").set("Authorization", as("analyst"));
    expect(res.status).toBe(200);
    expect(res.body.mappings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "xapi.adl.completed.module", source: "xapi", eventType: "module.completed", origin: "builtin" }),
        expect.objectContaining({ key: "caliper.assessment.submitted", source: "caliper", eventType: "quiz.submitted", origin: "builtin" }),
      ]),
    );
    expect(res.body.defaults.xapi.learner[0]).toEqual({ path: "actor.account.name" });
    const caliperOnly = await engine.http.get("/v1/mappings?source=caliper").set("Authorization", as("author"));
    expect(caliperOnly.body.mappings.every((m: { source: string }) => m.source === "caliper")).toBe(true);
    expect((await engine.http.put("/v1/mappings").set("Authorization", as("analyst")).send({ mappings: [] })).status).toBe(403);
    expect((await engine.http.get("/v1/mappings").set("Authorization", as("ingest"))).status).toBe(403);
  });

  it("maps a verb that arrived unmapped once a mapping for it is saved, reading fields from the paths it names", async () => {
    const before = await sendXapi(statement(DOODLED));
    expect(before.status).toBe(200);
    expect(await engine.ctx.prisma.event.findUnique({ where: { id: before.body[0] } })).toBeNull();
    const saved = await engine.http.put(`/v1/mappings/${doodle.key}`).set("Authorization", as("author")).send(doodle);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ key: doodle.key, origin: "custom" });
    const after = await sendXapi(statement(DOODLED));
    const event = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: after.body[0] } });
    expect(event).toMatchObject({ type: "art.doodled", learnerId: "map-1", courseId: "art-101", moduleId: "https://lms.example/art/42", properties: { score: 1 } });
    expect((await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id: after.body[0] } })).mappingKey).toBe(doodle.key);
  });

  it("switches a shipped mapping off with an override, and back on when the override is deleted", async () => {
    const off = await engine.http
      .put("/v1/mappings/xapi.adl.registered")
      .set("Authorization", as("author"))
      .send({ source: "xapi", match: { verb: "http://adlnet.gov/expapi/verbs/registered" }, eventType: "course.enrolled", enabled: false });
    expect(off.body.origin).toBe("override");
    const unmapped = await sendXapi(f.moodleEnrolment("map-2", 3));
    expect(await engine.ctx.prisma.event.findUnique({ where: { id: unmapped.body[0] } })).toBeNull();
    expect((await engine.http.delete("/v1/mappings/xapi.adl.registered").set("Authorization", as("author"))).status).toBe(204);
    expect((await engine.http.delete("/v1/mappings/xapi.adl.registered").set("Authorization", as("author"))).status).toBe(404);
    const mapped = await sendXapi(f.moodleEnrolment("map-2", 3));
    expect(await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: mapped.body[0] } })).toMatchObject({ type: "course.enrolled" });
  });

  it("saves exactly the edits when the whole list read by GET is written back, and survives concurrent writers", async () => {
    const listed = (await engine.http.get("/v1/mappings").set("Authorization", as("author"))).body.mappings as Array<Record<string, unknown>>;
    const edited = listed.map((m) => (m.key === "xapi.adl.experienced" ? { ...m, eventType: "content.experienced" } : m));
    const res = await engine.http.put("/v1/mappings").set("Authorization", as("author")).send({ mappings: edited });
    expect(res.status).toBe(200);
    const saved = await engine.ctx.prisma.eventMapping.findMany({ orderBy: { key: "asc" } });
    expect(saved.map((m) => m.key)).toEqual(["lms.doodled", "xapi.adl.experienced"]);
    expect(res.body.mappings.find((m: { key: string }) => m.key === "xapi.adl.experienced")).toMatchObject({ origin: "override", eventType: "content.experienced" });
    const body = { mappings: [doodle] };
    const answers = await Promise.all(Array.from({ length: 6 }, () => engine.http.put("/v1/mappings").set("Authorization", as("author")).send(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect((await engine.ctx.prisma.eventMapping.findMany()).map((m) => m.key)).toEqual(["lms.doodled"]);
  });

  it("maps Segment names through a saved mapping", async () => {
    const saved = await engine.http
      .put("/v1/mappings/seg.preview")
      .set("Authorization", as("author"))
      .send({ source: "segment", match: { event: "lesson viewed (preview)" }, eventType: "lesson.previewed" });
    expect(saved.status).toBe(200);
    const id = `seg-${randomUUID()}`;
    await engine.http
      .post("/v1/track")
      .set("Authorization", as("ingest"))
      .send({ userId: "map-3", event: "Lesson Viewed (Preview)", messageId: id, properties: { courseId: "c" } });
    expect(await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ type: "lesson.previewed" });
  });

  it("refuses invalid mappings with the path of each problem", async () => {
    const put = (mapping: unknown) =>
      engine.http
        .put("/v1/mappings")
        .set("Authorization", as("author"))
        .send({ mappings: [mapping] });
    const cases: Array<[unknown, string]> = [
      [{ ...doodle, fields: { learner: [{ path: "actor..name" }] } }, "mappings[0].fields.learner[0].path"],
      [{ ...doodle, fields: { learner: [{ path: "actor.id", pattern: "(" }] } }, "mappings[0].fields.learner[0].pattern"],
      [{ ...doodle, fields: { learner: [{ path: "actor.id", pattern: "(a+)+$" }] } }, "mappings[0].fields.learner[0].pattern"],
      [{ ...doodle, eventType: "Art Doodled" }, "mappings[0].eventType"],
      [{ ...doodle, source: "caliper" }, "mappings[0].match.type"],
      [{ ...doodle, key: "unmapped" }, "mappings[0].key"],
      [{ ...doodle, match: { verb: DOODLED, colour: "red" } }, "mappings[0].match.colour"],
    ];
    for (const [mapping, path] of cases) {
      const res = await put(mapping);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const twice = await engine.http
      .put("/v1/mappings")
      .set("Authorization", as("author"))
      .send({ mappings: [doodle, doodle] });
    expect(twice.status).toBe(400);
    expect(await engine.ctx.prisma.eventMapping.count()).toBe(2);
  });
});
