import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent, buildEvents } from "../factories/events";
import { waitFor } from "../setup/wait-for";

describe("POST /v1/events storage", () => {
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
  const count = async (sql: string, params: unknown[] = []) => Number((await engine.ctx.database.pool.query(sql, params)).rows[0].n);

  it("stores exactly 100 events when 10 clients post the same 100-event batch at once", async () => {
    const events = buildEvents(100, { courseId: "concurrency-101" });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post({ events })));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    const accepted = responses.reduce((a, r) => a + r.body.accepted, 0);
    const duplicates = responses.reduce((a, r) => a + r.body.duplicates, 0);
    expect(accepted).toBe(100);
    expect(duplicates).toBe(900);
    expect(await count("SELECT count(*) AS n FROM events WHERE course_id = 'concurrency-101'")).toBe(100);
    // Per-course state counts each event once too.
    expect(await count("SELECT sum(event_count) AS n FROM learner_course_state WHERE course_id = 'concurrency-101'")).toBe(100);
  });

  it("answers each of 50 concurrent single posts for itself when they are committed together, accepting a shared id once", async () => {
    const events = Array.from({ length: 25 }, () => buildEvent({ courseId: "group-101" }));
    const bodies = [...events, ...events]; // every event posted twice, all at once
    const responses = await Promise.all(bodies.map((e) => post(e)));
    expect(responses.every((r) => r.status === 202)).toBe(true);
    expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(25);
    expect(responses.every((r) => r.body.accepted + r.body.duplicates === 1)).toBe(true);
    expect(await count("SELECT count(*) AS n FROM events WHERE course_id = 'group-101'")).toBe(25);
  });

  it("treats an event id seen before as a duplicate with no further effect", async () => {
    const event = buildEvent({ learnerId: "dup-learner", learner: { name: "First" } });
    expect((await post(event)).body).toEqual({ accepted: 1, duplicates: 0 });
    const again = await post({ ...event, learner: { name: "Second" } });
    expect(again.body).toEqual({ accepted: 0, duplicates: 1 });
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "dup-learner" } });
    expect(learner.name).toBe("First");
  });

  it("counts a repeated id inside one batch once", async () => {
    const event = buildEvent();
    expect((await post({ events: [event, event] })).body).toEqual({ accepted: 1, duplicates: 1 });
  });

  it("corrects occurredAt for client clock skew from the batch's sentAt", async () => {
    // The client's clock runs 10 minutes fast: it says it sent at 12:10 an event from 12:05.
    const skewedSent = new Date(Date.now() + 10 * 60_000);
    const occurred = new Date(skewedSent.getTime() - 5 * 60_000);
    const event = buildEvent({ occurredAt: occurred.toISOString() });
    const before = Date.now();
    await post({ sentAt: skewedSent.toISOString(), events: [event] });
    const stored = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: event.id } });
    const expected = before - 5 * 60_000;
    expect(Math.abs(stored.occurredAt.getTime() - expected)).toBeLessThan(5_000);
    expect(stored.sentAt?.toISOString()).toBe(skewedSent.toISOString());
  });

  it("accepts an event 50 minutes ahead that skew correction brings back to the present", async () => {
    const sentAt = new Date(Date.now() + 3 * 3600_000);
    const res = await post({ sentAt: sentAt.toISOString(), events: [buildEvent({ occurredAt: sentAt.toISOString() })] });
    expect(res.status).toBe(202);
  });

  it("replaces given profile fields and merges attributes", async () => {
    await post(buildEvent({ learnerId: "merge", learner: { name: "Grace", locale: "en", attributes: { track: "free", country: "US" } } }));
    await post(buildEvent({ learnerId: "merge", learner: { locale: "pt-BR", attributes: { track: "paid" } } }));
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "merge" } });
    expect(learner).toMatchObject({ name: "Grace", locale: "pt-BR", attributes: { track: "paid", country: "US" } });
  });

  it("merges profiles within a batch by occurrence time, and never from a duplicate event", async () => {
    const t0 = Date.now() - 600_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const first = buildEvent({ learnerId: "mixed", courseId: "m1", type: "video.completed", occurredAt: at(0), learner: { name: "Old" } });
    await post(first);
    const res = await post({
      events: [
        { ...first, learner: { name: "Dup", timezone: "Asia/Tokyo" } }, // already stored: its profile must not apply
        buildEvent({ learnerId: "mixed", courseId: "m1", type: "video.completed", occurredAt: at(20), learner: { name: "Newest", attributes: { a: 1 } } }),
        buildEvent({ learnerId: "mixed", courseId: "m1", type: "quiz.submitted", occurredAt: at(10), learner: { name: "Middle", locale: "fr", attributes: { a: 0, b: 2 } } }),
      ],
    });
    expect(res.body).toEqual({ accepted: 2, duplicates: 1 });
    expect(await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "mixed" } })).toMatchObject({ name: "Newest", locale: "fr", timezone: null, attributes: { a: 1, b: 2 } });
    const state = await engine.ctx.prisma.learnerCourseState.findUniqueOrThrow({ where: { learnerId_courseId: { learnerId: "mixed", courseId: "m1" } } });
    expect(state).toMatchObject({ eventCount: 3, eventCounts: { "video.completed": 2, "quiz.submitted": 1 } });
    expect(state.lastActivityAt.toISOString()).toBe(at(20));
  });

  it("clears a profile field given as null, and leaves the profile untouched for events without one", async () => {
    await post(buildEvent({ learnerId: "clear", learner: { name: "Ada", timezone: "Europe/London", attributes: { cohort: "b" } } }));
    const before = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "clear" } });
    await post({ events: [buildEvent({ learnerId: "clear" }), buildEvent({ learnerId: "fresh-bare" })] });
    expect(await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "clear" } })).toEqual(before);
    expect(await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "fresh-bare" } })).toMatchObject({ name: null, attributes: {} });
    await post(buildEvent({ learnerId: "clear", learner: { timezone: null } }));
    expect(await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "clear" } })).toMatchObject({ name: "Ada", timezone: null, attributes: { cohort: "b" } });
  });

  it("keeps per-course counts per event type and first/last activity", async () => {
    const t0 = new Date(Date.now() - 3600_000);
    await post({
      events: [
        buildEvent({ learnerId: "counts", courseId: "c1", type: "video.completed", occurredAt: t0.toISOString() }),
        buildEvent({ learnerId: "counts", courseId: "c1", type: "video.completed", occurredAt: new Date(t0.getTime() + 60_000).toISOString() }),
        buildEvent({ learnerId: "counts", courseId: "c1", type: "quiz.submitted", occurredAt: new Date(t0.getTime() + 120_000).toISOString(), properties: { score: 0.9, passed: true } }),
      ],
    });
    await post(buildEvent({ learnerId: "counts", courseId: "c1", type: "quiz.submitted", occurredAt: new Date(t0.getTime() + 180_000).toISOString() }));
    const state = await engine.ctx.prisma.learnerCourseState.findUniqueOrThrow({ where: { learnerId_courseId: { learnerId: "counts", courseId: "c1" } } });
    expect(state.eventCount).toBe(4);
    expect(state.eventCounts).toEqual({ "video.completed": 2, "quiz.submitted": 2 });
    expect(state.firstActivityAt.toISOString()).toBe(t0.toISOString());
    expect(state.lastActivityAt.toISOString()).toBe(new Date(t0.getTime() + 180_000).toISOString());
  });

  it("hands every accepted event to the matching queue once", async () => {
    const events = buildEvents(20, { courseId: "queue-101" });
    await post({ events });
    await post({ events }); // duplicates are not enqueued again
    // The hand-off follows the 202 (the events are durable by then): wait for it, then check it happened once.
    const queued = async () => {
      const jobs = await engine.ctx.queues.queue("match").getJobs(["waiting", "delayed", "active", "prioritized"]);
      return jobs.flatMap((j) => (j.data as { eventIds?: string[] }).eventIds ?? [(j.data as { eventId: string }).eventId]).filter((id) => events.some((e) => e.id === id));
    };
    await waitFor(queued, (ids) => ids.length >= events.length);
    await new Promise((r) => setTimeout(r, 100));
    expect((await queued()).sort()).toEqual(events.map((e) => e.id).sort());
  });
});
