/**
 * The Segment-compatible tracking API against the engine on a real port, driven by the real SDKs
 * (@segment/analytics-node, @rudderstack/rudder-sdk-node) as product teams use them, and by raw requests for
 * the hostile cases: every valid call stored exactly once, every invalid one dropped on its own with its reason.
 */
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Server } from "node:http";
import { Analytics as SegmentAnalytics } from "@segment/analytics-node";
import RudderAnalytics from "@rudderstack/rudder-sdk-node";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { PATIENCE_MS, waitFor } from "../setup/wait-for";
import { listen, closeServer } from "../../src/http/server";

/** An answer's JSON with the fields these tests read (fetch types it as unknown). */
interface Answer {
  accepted: number;
  duplicates: number;
  unmapped: number;
  entities: number;
  dropped: number;
  success: boolean;
  detail: string;
  type: string;
  errors: Array<{ path: string; index: number; reason: string; messageId: string | null; errors: Array<{ path: string; message: string }> }>;
}
const jsonOf = async (res: Response): Promise<Answer> => (await res.json()) as Answer;
describe("Segment-compatible tracking API", () => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  const count = async (sql: string, params: unknown[] = []) => Number((await engine.ctx.database.pool.query(sql, params)).rows[0].n);
  const post = (path: string, body: Uint8Array | string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${engine.keys.ingest}`, "Content-Type": "application/json", ...headers },
      body: body as NonNullable<RequestInit["body"]>,
    });
  const track = (overrides: Record<string, unknown> = {}) => ({
    type: "track",
    userId: "seg-raw",
    event: "Video Completed",
    messageId: `m-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    properties: { courseId: "seg-101" },
    ...overrides,
  });

  beforeAll(async () => {
    engine = await startTestEngine();
    const started = await listen(engine.app, 0);
    server = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await engine.close();
  });

  it("stores a track call sent with HTTP Basic auth, mapping Segment's fields and Object Action names to ours", async () => {
    const messageId = `seg-${randomUUID()}`;
    const res = await engine.http
      .post("/v1/track")
      .auth(engine.keys.ingest, "")
      .send({
        userId: "seg-learner",
        event: "Quiz Submitted",
        messageId,
        timestamp: new Date().toISOString(),
        properties: { courseId: "ml-101", moduleId: "week-2", score: 0.4, passed: false },
        context: { traits: { name: "Ada Lovelace", plan: "paid" }, timezone: "Europe/London", locale: "en-GB" },
      });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, accepted: 1, duplicates: 0, dropped: 0 });
    const event = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: messageId } });
    expect(event).toMatchObject({ type: "quiz.submitted", learnerId: "seg-learner", courseId: "ml-101", moduleId: "week-2", properties: { score: 0.4, passed: false } });
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "seg-learner" } });
    expect(learner).toMatchObject({ name: "Ada Lovelace", timezone: "Europe/London", locale: "en-GB", attributes: { plan: "paid" } });
    const source = await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id: messageId } });
    expect(source).toMatchObject({ format: "segment", status: "mapped", kind: { call: "track", event: "Quiz Submitted" } });
  });

  it("with @segment/analytics-node's defaults: every call of every kind stored once; context.timezone and locale update the profile", async () => {
    const analytics = new SegmentAnalytics({ writeKey: engine.keys.ingest, host: base });
    const user = `segsdk-${randomUUID().slice(0, 8)}`;
    analytics.identify({ userId: user, traits: { name: "Grace Hopper", cohort: "spring" }, context: { timezone: "Asia/Tokyo", locale: "ja-JP" } });
    for (let i = 0; i < 40; i++) analytics.track({ userId: user, event: "Module Started", properties: { courseId: "sdk-101", moduleId: `m${i}` } });
    analytics.page({ userId: user, name: "Syllabus", properties: { courseId: "sdk-101" } });
    analytics.screen({ userId: user, name: "Lesson" });
    analytics.group({ userId: user, groupId: "cohort-7", traits: { size: 30 } });
    analytics.alias({ userId: user, previousId: "anon-1" });
    await analytics.closeAndFlush();
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1", [user])).toBe(45);
    const types = (await engine.ctx.database.pool.query<{ type: string; n: string }>("SELECT type, count(*) AS n FROM events WHERE learner_id = $1 GROUP BY type ORDER BY type", [user])).rows;
    expect(Object.fromEntries(types.map((t) => [t.type, Number(t.n)]))).toEqual({
      "group.joined": 1,
      "module.started": 40,
      "page.viewed": 1,
      "screen.viewed": 1,
      "user.aliased": 1,
      "user.identified": 1,
    });
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE learner_id = $1 AND format = 'segment'", [user])).toBe(45);
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: user } });
    expect(learner).toMatchObject({ name: "Grace Hopper", timezone: "Asia/Tokyo", locale: "ja-JP", attributes: { cohort: "spring" } });
  });

  it("with flushAt: 1000, 600 events, an oddly named one and an invalid one in ONE batch: 601 stored, the invalid one dropped with its reason", async () => {
    const analytics = new SegmentAnalytics({ writeKey: engine.keys.ingest, host: base, flushAt: 1000, flushInterval: 60_000 });
    const requests: number[] = [];
    analytics.on("http_response", (r) => requests.push(r.status));
    const user = `bulk-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 600; i++) analytics.track({ userId: user, event: "Video Completed", properties: { courseId: "bulk-101", index: i } });
    analytics.track({ userId: user, event: "Lesson Viewed (Preview)", properties: { courseId: "bulk-101" } });
    analytics.track({ userId: user, event: "Quiz Submitted", properties: { courseId: "bulk-101", score: 7 } });
    await analytics.closeAndFlush();
    expect(requests).toEqual([200]);
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1 AND type = 'video.completed'", [user])).toBe(600);
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1 AND type = 'lesson.viewed'", [user])).toBe(1);
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1", [user])).toBe(601);
    const dropped = await engine.http.get("/v1/events/dropped?source=segment&reason=invalid").set("Authorization", `Bearer ${engine.keys.analyst}`);
    expect(dropped.status).toBe(200);
    const mine = dropped.body.dropped.filter((d: { call: { userId?: string } }) => d.call?.userId === user);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ source: "segment", reason: "invalid", callType: "track", errors: [{ path: "batch[601].properties.score", message: "must be a number from 0 to 1" }] });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/coach_ingest_dropped_total\{source="segment",reason="invalid"\} [1-9]/);
  });

  it("with @rudderstack/rudder-sdk-node's defaults (gzip sent as application/x-www-form-urlencoded): every call stored once", async () => {
    const rudder = new RudderAnalytics(engine.keys.ingest, { dataPlaneUrl: base, logLevel: "error" });
    const user = `rudder-${randomUUID().slice(0, 8)}`;
    rudder.identify({ userId: user, traits: { name: "Katherine Johnson" }, context: { timezone: "America/New_York" } });
    for (let i = 0; i < 50; i++) rudder.track({ userId: user, event: "Quiz Submitted", properties: { courseId: "rudder-101", score: (i % 10) / 10, passed: i % 2 === 0 } });
    rudder.page({ userId: user, name: "Home" });
    await waitFor(
      async () => {
        await rudder.flush();
        return count("SELECT count(*) AS n FROM events WHERE learner_id = $1", [user]);
      },
      (n) => n >= 52,
      PATIENCE_MS,
      200,
    );
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1", [user])).toBe(52);
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1 AND type = 'quiz.submitted'", [user])).toBe(50);
    expect(await count("SELECT count(*) AS n FROM dropped_calls WHERE call->>'userId' = $1", [user])).toBe(0);
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: user } });
    expect(learner).toMatchObject({ name: "Katherine Johnson", timezone: "America/New_York" });
  });

  it("drops each invalid call on its own, recording its reason once even when the batch is retried, and stores the rest", async () => {
    const user = `mixed-${randomUUID().slice(0, 8)}`;
    const good = [track({ userId: user }), track({ userId: user, event: "Module Completed" })];
    const batch = [
      good[0],
      track({ userId: user, timestamp: "yesterday" }),
      track({ userId: undefined, anonymousId: undefined }),
      track({ userId: user, type: "shout" }),
      track({ userId: user, properties: { courseId: "seg-101", note: "a\u0000b" } }),
      track({ userId: user, properties: { courseId: "seg-101", blob: "x".repeat(40 * 1024) } }),
      track({ userId: user, event: "レッスン" }),
      "not a call",
      good[1],
    ];
    const answers = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await post("/v1/batch", JSON.stringify({ batch, sentAt: new Date().toISOString() }));
      expect(res.status).toBe(200);
      answers.push(await jsonOf(res));
    }
    expect(answers[0]).toMatchObject({ success: true, accepted: 2, duplicates: 0, dropped: 7 });
    expect(answers[1]).toMatchObject({ success: true, accepted: 0, duplicates: 2, dropped: 7 });
    expect(answers[0].errors.map((e: { index: number; reason: string }) => [e.index, e.reason])).toEqual([
      [1, "invalid"],
      [2, "no_user"],
      [3, "unknown_type"],
      [4, "unstorable_text"],
      [5, "oversize"],
      [6, "invalid"],
      [7, "malformed"],
    ]);
    expect(answers[0].errors[0].errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "batch[1].timestamp" })]));
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1", [user])).toBe(2);
    const recorded = batch.slice(1, 7).map((c) => (c as { messageId: string }).messageId);
    expect(await count("SELECT count(*) AS n FROM dropped_calls WHERE message_id = ANY($1)", [recorded])).toBe(6);
  });

  it("accepts gzip whatever the content type, and refuses only what is not a Segment body: malformed, oversize, invalid UTF-8 inside gzip", async () => {
    const user = `gz-${randomUUID().slice(0, 8)}`;
    for (const type of ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]) {
      const body = gzipSync(JSON.stringify({ batch: [track({ userId: user })] }));
      const res = await post("/v1/batch", body, { "Content-Type": type, "Content-Encoding": "gzip" });
      expect(res.status).toBe(200);
    }
    // Gzip without Content-Encoding is recognised by its magic bytes.
    expect((await post("/v1/batch", gzipSync(JSON.stringify({ batch: [track({ userId: user })] })), { "Content-Type": "application/json" })).status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = $1", [user])).toBe(5);

    const before = await count("SELECT count(*) AS n FROM events");
    const invalidUtf8 = Buffer.concat([Buffer.from(`{"batch": [{"type": "track", "userId": "${user}", "event": "A`), Buffer.from([0xc3, 0x28]), Buffer.from(`"}]}`)]);
    const badText = await post("/v1/batch", gzipSync(invalidUtf8), { "Content-Encoding": "gzip" });
    expect(badText.status).toBe(400);
    expect((await jsonOf(badText)).detail).toContain("UTF-8");
    const notGzip = await post("/v1/batch", "this is not gzip", { "Content-Encoding": "gzip" });
    expect(notGzip.status).toBe(400);
    expect((await post("/v1/batch", '{"batch": [')).status).toBe(400);
    expect((await post("/v1/batch", JSON.stringify({ batch: "nope" }))).status).toBe(400);
    const big = Array.from({ length: 200 }, () => track({ userId: user, properties: { courseId: "seg-101", pad: "y".repeat(3_000) } }));
    const oversize = await post("/v1/batch", JSON.stringify({ batch: big }));
    expect(oversize.status).toBe(413);
    // 600 KB of JSON that gzips to a few KB: the limit is on the decompressed size.
    const bomb = await post("/v1/batch", gzipSync(JSON.stringify({ batch: [track({ userId: user, properties: { pad: "z".repeat(600 * 1024) } })] })), { "Content-Encoding": "gzip" });
    expect(bomb.status).toBe(413);
    expect((await post("/v1/track", JSON.stringify(track({ userId: user, properties: { pad: "w".repeat(40 * 1024) } })))).status).toBe(413);
    expect(await count("SELECT count(*) AS n FROM events")).toBe(before);
  });

  it("applies a batch-level context under each call's own (the call's wins)", async () => {
    const user = `ctx-${randomUUID().slice(0, 8)}`;
    const res = await post(
      "/v1/batch",
      JSON.stringify({
        batch: [track({ userId: user }), track({ userId: `${user}-b`, context: { timezone: "Asia/Kolkata" } })],
        context: { timezone: "Europe/Paris", locale: "fr-FR" },
      }),
    );
    expect(await jsonOf(res)).toMatchObject({ accepted: 2, dropped: 0 });
    expect(await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: user } })).toMatchObject({ timezone: "Europe/Paris", locale: "fr-FR" });
    expect(await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: `${user}-b` } })).toMatchObject({ timezone: "Asia/Kolkata", locale: "fr-FR" });
  });

  it("answers 401 without a key and 403 for an author key, before reading the body", async () => {
    expect((await fetch(`${base}/v1/batch`, { method: "POST", body: "{" })).status).toBe(401);
    const res = await engine.http.post("/v1/track").auth(engine.keys.author, "").send({});
    expect(res.status).toBe(403);
  });
});
