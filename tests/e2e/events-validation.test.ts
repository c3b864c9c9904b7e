import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent, buildEvents } from "../factories/events";

describe("POST /v1/events validation", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  const post = (body: unknown) =>
    engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send(body as object);

  async function storedEventCount(): Promise<number> {
    const { rows } = await engine.ctx.database.pool.query<{ n: string }>("SELECT count(*) AS n FROM events");
    return Number(rows[0].n);
  }

  const cases: Array<[string, () => unknown, string[]]> = [
    [
      "a missing id",
      () => {
        const { id: _id, ...e } = buildEvent();
        return e;
      },
      ["id"],
    ],
    ["an empty id", () => buildEvent({ id: "" }), ["id"]],
    ["an id longer than 128 characters", () => buildEvent({ id: "x".repeat(129) }), ["id"]],
    ["a type with capitals", () => buildEvent({ type: "Quiz.Submitted" }), ["type"]],
    ["a type starting with a digit", () => buildEvent({ type: "1quiz" }), ["type"]],
    ["a date without a time zone", () => buildEvent({ occurredAt: "2026-11-23T10:00:00" }), ["occurredAt"]],
    ["a date that is not a date", () => buildEvent({ occurredAt: "yesterday" }), ["occurredAt"]],
    ["an unknown top-level field", () => buildEvent({ colour: "red" }), ["colour"]],
    ["a quiz score above 1", () => buildEvent({ type: "quiz.submitted", properties: { score: 1.4, passed: false } }), ["properties.score"]],
    ["a non-boolean passed", () => buildEvent({ type: "quiz.submitted", properties: { score: 0.4, passed: "no" } }), ["properties.passed"]],
    ["an invalid learner time zone", () => buildEvent({ learner: { timezone: "Mars/Olympus" } }), ["learner.timezone"]],
    ["an event 2 hours in the future", () => buildEvent({ occurredAt: new Date(Date.now() + 2 * 3600_000).toISOString() }), ["occurredAt"]],
    ["an event over 32 KB", () => buildEvent({ properties: { blob: "x".repeat(33 * 1024) } }), [""]],
  ];

  it.each(cases)("rejects %s with 400 problem+json naming the field, and stores nothing", async (_name, build, paths) => {
    const res = await post(build());
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: "Bad Request" });
    expect(typeof res.body.type).toBe("string");
    expect(typeof res.body.detail).toBe("string");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    expect(await storedEventCount()).toBe(0);
  });

  it("rejects a whole batch when one event is invalid, naming events[i].field, and stores none of it", async () => {
    const events = buildEvents(5);
    events[3] = { ...events[3], occurredAt: "not-a-date" };
    const res = await post({ events });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: "events[3].occurredAt", message: expect.any(String) }]);
    expect(await storedEventCount()).toBe(0);
  });

  it("reports every invalid event of a batch", async () => {
    const events = buildEvents(4);
    events[0] = { ...events[0], type: "BAD" };
    events[2] = { ...events[2], learnerId: "" };
    const res = await post({ events });
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["events[0].type", "events[2].learnerId"]);
  });

  it("rejects an empty batch and a batch of 501", async () => {
    expect((await post({ events: [] })).body.errors[0].path).toBe("events");
    const big = await post({ events: buildEvents(501, { properties: {} }) });
    expect(big.status).toBe(400);
    expect(big.body.errors[0].path).toBe("events");
    expect(await storedEventCount()).toBe(0);
  });

  it("answers malformed JSON with a 400 problem", async () => {
    const res = await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).set("Content-Type", "application/json").send('{"id": ');
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
    expect(res.body.type).toMatch(/malformed-json/);
  });

  it("answers a body over 1 MiB with a 413 problem", async () => {
    const res = await post({ events: [buildEvent({ properties: { blob: "x".repeat(1024 * 1024 + 10) } })] });
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
  });

  it("answers an unknown route with a 404 problem", async () => {
    const res = await engine.http.get("/v1/nothing-here").set("Authorization", `Bearer ${engine.keys.ingest}`);
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
  });

  it("accepts a valid event with 202 and stores it with its learner and per-course state", async () => {
    const event = buildEvent({ learnerId: "ada", learner: { name: "Ada Lovelace", timezone: "Europe/London", attributes: { track: "paid" } } });
    const res = await post(event);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0 });
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "ada" } });
    expect(learner).toMatchObject({ name: "Ada Lovelace", timezone: "Europe/London", attributes: { track: "paid" } });
    const state = await engine.ctx.prisma.learnerCourseState.findUniqueOrThrow({ where: { learnerId_courseId: { learnerId: "ada", courseId: "ml-101" } } });
    expect(state.eventCount).toBe(1);
    expect(state.eventCounts).toEqual({ "module.started": 1 });
  });
});
