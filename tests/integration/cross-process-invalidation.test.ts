/**
 * Two engine processes on one database (two contexts, each with its own caches, queues and clock): a change
 * made through one takes effect in the other within a second, whatever their clocks say — the caches follow a
 * revision the database bumps in the write's transaction, never `updated_at` written by someone's clock.
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { waitFor } from "../setup/wait-for";
import { buildEvent } from "../factories/events";
import { matchStoredEvent } from "../../src/matching/match-stored-event";
import { ManualClock } from "../../src/lib/clock";

/** The promise: a change through any process is in force on every process within this. */
const WITHIN_MS = 1_000;

describe("cache invalidation across processes with skewed clocks", () => {
  let a: TestEngine; // the process that matches events, clock right
  let b: TestEngine; // the process staff happen to write through, clock 5 s behind and standing still
  const bClock = new ManualClock(Date.now() - 5_000);
  const authorA = () => `Bearer ${a.keys.author}`;
  const authorB = () => `Bearer ${b.keys.author}`;
  let learners = 0;

  /** Sends one event for a fresh learner through A and matches it there; the messages it scheduled. */
  async function matchOnA(type: string, learner: Record<string, unknown> = {}) {
    const learnerId = `learner-${++learners}`;
    const event = buildEvent({ learnerId, type, courseId: "c-1", learner });
    expect((await a.http.post("/v1/events").set("Authorization", `Bearer ${a.keys.ingest}`).send(event)).status).toBe(202);
    await matchStoredEvent(a.ctx, event.id);
    return a.ctx.prisma.message.findMany({ where: { learnerId } });
  }
  const rulesMatchedOnA = async (type: string, learner?: Record<string, unknown>) => (await matchOnA(type, learner)).map((m) => m.ruleKey).sort();

  /** Waits at most WITHIN_MS, from now, for A to show `done`. */
  const withinOneSecond = <T>(read: () => Promise<T>, done: (value: T) => boolean) => waitFor(read, done, WITHIN_MS, 25);

  beforeAll(async () => {
    a = await startTestEngine();
    b = await startTestEngine({ keepData: true, clock: bClock });
    await a.http.put("/v1/policy").set("Authorization", authorA()).send({ quietHours: null, minGapMinutes: 0, maxPerDay: 1000, maxPerWeek: 1000 });
    const template = { key: "tip", name: "Tip", kind: "nudge", variants: [{ key: "A", title: "Tip", body: "Hi", weight: 1 }] };
    expect((await a.http.post("/v1/templates").set("Authorization", authorA()).send(template)).status).toBe(201);
    const rule = (key: string, eventType: string, extra: Record<string, unknown> = {}) => ({ key, name: key, templateKey: "tip", trigger: { eventType, courseId: "c-1" }, ...extra });
    // `misfiring` first, then `later`: `later` holds the newest updated_at, written by A's (right) clock.
    expect((await a.http.post("/v1/rules").set("Authorization", authorA()).send(rule("misfiring", "video.completed"))).status).toBe(201);
    expect((await a.http.post("/v1/rules").set("Authorization", authorA()).send(rule("later", "quiz.submitted"))).status).toBe(201);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("when a process whose clock is 5 s behind disables a rule, the other stops matching it within 1 s", async () => {
    expect(await rulesMatchedOnA("video.completed")).toEqual(["misfiring"]); // A has the rule cached
    const disabled = await b.http
      .put("/v1/rules/misfiring")
      .set("Authorization", authorB())
      .send({ name: "misfiring", templateKey: "tip", trigger: { eventType: "video.completed", courseId: "c-1" }, enabled: false });
    expect(disabled.status).toBe(200);
    expect(new Date(disabled.body.updatedAt).getTime()).toBeLessThan(Date.now() - 4_000); // written by the skewed clock
    await withinOneSecond(
      () => rulesMatchedOnA("video.completed"),
      (keys) => keys.length === 0,
    );
    expect(await rulesMatchedOnA("video.completed")).toEqual([]);
  });

  it("sees consecutive writes stamped with the same millisecond (re-enable, then disable again)", async () => {
    const body = (enabled: boolean) => ({ name: "misfiring", templateKey: "tip", trigger: { eventType: "video.completed", courseId: "c-1" }, enabled });
    const on = await b.http.put("/v1/rules/misfiring").set("Authorization", authorB()).send(body(true));
    await withinOneSecond(
      () => rulesMatchedOnA("video.completed"),
      (keys) => keys.includes("misfiring"),
    );
    const off = await b.http.put("/v1/rules/misfiring").set("Authorization", authorB()).send(body(false));
    expect(off.body.updatedAt).toBe(on.body.updatedAt); // same count, same max(updated_at): only a revision tells them apart
    await withinOneSecond(
      () => rulesMatchedOnA("video.completed"),
      (keys) => keys.length === 0,
    );
  });

  it("publishes a template version, changes a segment and the policy through the skewed process, all in force on the other within 1 s", async () => {
    const published = await b.http
      .put("/v1/templates/tip")
      .set("Authorization", authorB())
      .send({ name: "Tip v2", kind: "nudge", variants: [{ key: "A", title: "Tip", body: "Hi again", weight: 1 }], publish: true });
    expect(published.body.publishedVersion).toBe(2);
    await withinOneSecond(
      () => matchOnA("quiz.submitted"),
      (messages) => messages.length === 1 && messages[0].templateVersion === 2,
    );

    const segment = await b.http
      .post("/v1/segments")
      .set("Authorization", authorB())
      .send({ key: "paid", name: "Paid", type: "attributes", conditions: { field: "learner.attributes.track", op: "eq", value: "paid" } });
    expect(segment.status).toBe(201);
    expect(
      (
        await b.http
          .post("/v1/rules")
          .set("Authorization", authorB())
          .send({ key: "for-paid", name: "For paid", templateKey: "tip", segmentKey: "paid", trigger: { eventType: "module.completed", courseId: "c-1" } })
      ).status,
    ).toBe(201);
    const free = { attributes: { track: "free" } };
    await withinOneSecond(
      () => matchOnA("module.completed", { attributes: { track: "paid" } }),
      (messages) => messages.some((m) => m.ruleKey === "for-paid"),
    );
    expect(await rulesMatchedOnA("module.completed", free)).toEqual([]); // A has the definition cached
    await b.http
      .put("/v1/segments/paid")
      .set("Authorization", authorB())
      .send({ conditions: { field: "learner.attributes.track", op: "eq", value: "free" } });
    await withinOneSecond(
      () => rulesMatchedOnA("module.completed", free),
      (keys) => keys.includes("for-paid"),
    );

    expect((await b.http.put("/v1/policy").set("Authorization", authorB()).send({ quietHours: null, minGapMinutes: 0, maxPerDay: 7, maxPerWeek: 1000 })).status).toBe(200);
    await withinOneSecond(
      async () => (await a.http.get("/v1/policy").set("Authorization", authorA())).body.maxPerDay,
      (max) => max === 7,
    );
  });
});
