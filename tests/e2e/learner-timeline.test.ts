/**
 * GET /v1/learners/{learnerId}/timeline answers "why didn't this learner get it?" from what the real engine
 * recorded: a delivery, a rule's own limit, a lost priority contest, a segment miss and a holdout, each with
 * its reason in words, beside the learner's events, feedback, goals and self-assessments; newest first; pages
 * that never repeat or skip an entry, even when many entries share one instant or new ones arrive mid-paging;
 * hostile cursors and filters are 400 naming the parameter; roles as the contract's analyst/author reads.
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { insertMessage } from "../factories/messages";
import { waitFor } from "../setup/wait-for";
import { isHeldOut } from "../../src/experiments/holdout";

const OPEN_POLICY = { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null };
const COURSE = "tl-101";

interface Entry {
  id: string;
  type: string;
  at: string;
  ruleKey: string | null;
  reason?: string;
  reasonText?: string;
  explanation?: string;
  [k: string]: unknown;
}

describe("the learner timeline", () => {
  let engine: TestEngine;
  const as = (role: "analyst" | "author" | "ingest" | "admin") => `Bearer ${engine.keys[role]}`;
  const timeline = (learnerId: string, query = "", role: "analyst" | "author" | "ingest" | "admin" = "analyst") =>
    engine.http.get(`/v1/learners/${encodeURIComponent(learnerId)}/timeline${query}`).set("Authorization", as(role));
  const post = async (learnerId: string, type: string) => {
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", as("ingest"))
      .send(buildEvent({ learnerId, courseId: COURSE, type, learner: { name: "Grace Hopper", timezone: "UTC" } }));
    expect(res.status).toBe(202);
  };
  const settled = (learnerId: string) =>
    waitFor(
      async () => (await engine.ctx.prisma.event.count({ where: { learnerId, matchedAt: null } })) + (await engine.ctx.prisma.message.count({ where: { learnerId, status: "scheduled" } })),
      (n) => n === 0,
    );
  const allPages = async (learnerId: string, limit: number, query = "") => {
    const seen: Entry[] = [];
    let cursor: string | null = null;
    do {
      const res = await timeline(learnerId, `?limit=${limit}${query}${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.entries.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.entries);
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  };

  beforeAll(async () => {
    engine = await startTestEngine({ workers: true });
    expect((await engine.http.put("/v1/policy").set("Authorization", as("author")).send(OPEN_POLICY)).status).toBe(200);
    const template = await engine.http
      .post("/v1/templates")
      .set("Authorization", as("author"))
      .send({
        key: "tl-nudge",
        name: "A nudge",
        kind: "nudge",
        variants: [{ key: "A", title: "Keep going, {{learner.firstName}}", body: "You can do it.", weight: 1 }],
      });
    expect(template.status).toBe(201);
    expect((await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "tl-vip", name: "VIP", type: "static" })).status).toBe(201);
    const rules = [
      { key: "tl-once", name: "Once per learner", priority: 10, maxPerLearner: 1, trigger: { eventType: "module.started", courseId: COURSE } },
      { key: "tl-loser", name: "Loses on priority", priority: 1, trigger: { eventType: "module.started", courseId: COURSE } },
      { key: "tl-vip-only", name: "VIP only", priority: 50, segmentKey: "tl-vip", trigger: { eventType: "module.started", courseId: COURSE } },
      { key: "tl-held", name: "With a holdout", priority: 10, holdout: { share: 0.5 }, trigger: { eventType: "module.completed", courseId: COURSE } },
    ];
    for (const rule of rules)
      expect(
        (
          await engine.http
            .post("/v1/rules")
            .set("Authorization", as("author"))
            .send({ templateKey: "tl-nudge", ...rule })
        ).status,
      ).toBe(201);
  });
  afterAll(async () => engine.close());

  it("tells every decision for a learner with its reason in words, beside feedback, goals and self-assessments, newest first", async () => {
    await post("grace", "module.started"); // tl-once delivered; tl-loser lower_priority; tl-vip-only segment
    await settled("grace");
    await post("grace", "module.started"); // tl-once: max_per_learner (1 of 1); tl-loser then wins and is delivered
    await settled("grace");
    const delivered = await engine.ctx.prisma.message.findFirstOrThrow({ where: { learnerId: "grace", ruleKey: "tl-once", status: "delivered" } });
    const helpful = await engine.http.post(`/v1/messages/${delivered.id}/feedback`).set("Authorization", as("ingest")).send({ learnerId: "grace", type: "helpful" });
    expect(helpful.status).toBe(200);
    await engine.ctx.prisma.goal.create({ data: { learnerId: "grace", courseId: COURSE, text: "finish week 2" } });
    await engine.ctx.prisma.selfAssessment.create({ data: { learnerId: "grace", courseId: COURSE, moduleId: "week-1", rating: 4, scaleMin: 1, scaleMax: 5 } });

    const res = await timeline("grace");
    expect(res.status).toBe(200);
    const entries = res.body.entries as Entry[];
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const decision = (ruleKey: string, reason: string) => entries.find((e) => e.type === "suppressed" && e.ruleKey === ruleKey && e.reason === reason);
    expect(decision("tl-once", "max_per_learner")).toMatchObject({
      reasonText: "This rule already reached the learner as many times as it may",
      explanation: "1 of 1 allowed by this rule already delivered",
      eventType: "module.started",
      courseId: COURSE,
    });
    expect(decision("tl-loser", "lower_priority")?.reasonText).toMatch(/higher priority/);
    expect(decision("tl-vip-only", "segment")?.reasonText).toBe("The learner is not in the rule's segment");
    expect(
      entries
        .filter((e) => e.type === "delivered")
        .map((e) => e.ruleKey)
        .sort(),
    ).toEqual(["tl-loser", "tl-once"]);
    expect(entries.find((e) => e.type === "delivered" && e.ruleKey === "tl-once")).toMatchObject({ title: "Keep going, Grace", messageId: delivered.id, variant: "A" });
    expect(entries.filter((e) => e.type === "event").map((e) => e.eventType)).toEqual(["module.started", "module.started"]);
    expect(entries.find((e) => e.type === "feedback")).toMatchObject({ feedback: "helpful", messageId: delivered.id, ruleKey: "tl-once" });
    expect(entries.find((e) => e.type === "goal")).toMatchObject({ text: "finish week 2", courseId: COURSE });
    expect(entries.find((e) => e.type === "self_assessment")).toMatchObject({ rating: 4, scaleMin: 1, scaleMax: 5, moduleId: "week-1" });
    // Nothing of the learner's record is hidden as "null" text: absent reasons are absent, not null.
    for (const e of entries.filter((x) => x.type === "event" || x.type === "delivered")) expect(e).not.toHaveProperty("reason");
  });

  it("shows a held-out slot with why it was not sent (the inbox's ?status=all hides it)", async () => {
    const learnerId = ["h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10"].map((id) => `held-${id}`).find((id) => isHeldOut(id, "tl-held", 0.5))!;
    await post(learnerId, "module.completed");
    await settled(learnerId);
    const inbox = await engine.http.get(`/v1/learners/${learnerId}/messages?status=all`).set("Authorization", as("analyst"));
    expect(inbox.body.messages).toEqual([]);
    const entries = (await timeline(learnerId)).body.entries as Entry[];
    expect(entries.find((e) => e.type === "held_out")).toMatchObject({
      ruleKey: "tl-held",
      reason: "holdout",
      reasonText: expect.stringMatching(/holdout group/),
      status: "held_out",
      eventType: "module.completed",
    });
  });

  it("filters by kind and course", async () => {
    const decisions = (await timeline("grace", "?types=suppressed,deferred")).body.entries as Entry[];
    expect(decisions.length).toBe(4);
    expect(new Set(decisions.map((e) => e.type))).toEqual(new Set(["suppressed"]));
    expect((await timeline("grace", "?courseId=another-course")).body.entries).toEqual([]);
  });

  it("pages without repeating or skipping, even through entries that share one instant and while new ones arrive", async () => {
    const at = new Date("2026-11-20T10:00:00.123Z");
    await engine.ctx.prisma.suppression.createMany({
      data: Array.from({ length: 12 }, (_, i) => ({ outcome: i % 2 ? "deferred" : "suppressed", reason: i % 2 ? "quiet_hours" : "cap.day", learnerId: "pager", courseId: COURSE, createdAt: at })),
    });
    for (let i = 0; i < 5; i++) await insertMessage(engine.ctx, { learnerId: "pager", courseId: COURSE, createdAt: at, deliveredAt: at });
    await engine.ctx.prisma.learner.create({ data: { id: "pager" } });
    const whole = (await timeline("pager", "?limit=200")).body.entries as Entry[];
    expect(whole.length).toBe(12 + 5 * 2);

    const paged: Entry[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res = await timeline("pager", `?limit=3${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`);
      paged.push(...res.body.entries);
      cursor = res.body.nextCursor;
      // A newer entry arriving mid-paging belongs to the head, never to a later page.
      if (page++ === 1) await engine.ctx.prisma.suppression.create({ data: { outcome: "suppressed", reason: "cap.week", learnerId: "pager", courseId: COURSE } });
    } while (cursor);
    expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    expect(new Set(paged.map((e) => e.id)).size).toBe(paged.length);
    expect(await allPages("pager", 1)).toHaveLength(whole.length + 1);
  });

  it("answers 404 for a learner the engine never saw, and 400 naming the parameter for a forged cursor or an unknown kind", async () => {
    // An id with quotes, a slash, a percent sign and non-ASCII is just an id.
    const odd = 'o\'brien/50% ü "x"';
    await engine.ctx.prisma.learner.create({ data: { id: odd } });
    await engine.ctx.prisma.suppression.create({ data: { outcome: "suppressed", reason: "segment", learnerId: odd, details: { explanation: "<b>not</b> in the segment" } } });
    const oddRes = await timeline(odd);
    expect(oddRes.status).toBe(200);
    expect(oddRes.body.entries).toEqual([expect.objectContaining({ type: "suppressed", reason: "segment", explanation: "<b>not</b> in the segment" })]);
    const unknown = await timeline("nobody-at-all");
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/application\/problem\+json/);
    for (const before of ["not-a-cursor", Buffer.from("[1,2]").toString("base64url"), Buffer.from('["yesterday","x"]').toString("base64url"), "x".repeat(401)]) {
      const res = await timeline("grace", `?before=${encodeURIComponent(before)}`);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe("query.before");
    }
    // A well-formed cursor with a hostile id is only a string compared in SQL: it pages, it does not inject.
    const sly = Buffer.from(JSON.stringify([new Date().toISOString(), "zzz' OR 1=1 --"])).toString("base64url");
    expect((await timeline("grace", `?before=${sly}`)).status).toBe(200);
    const kinds = await timeline("grace", "?types=suppressed,secrets");
    expect(kinds.status).toBe(400);
    expect(kinds.body.errors[0].path).toBe("query.types");
    expect((await timeline("grace", "?limit=0")).status).toBe(400);
    expect((await timeline("grace", "?limit=201")).status).toBe(400);
  });

  it("is for analysts, authors and admins; ingest keys and learner tokens get 403", async () => {
    for (const role of ["analyst", "author", "admin"] as const) expect((await timeline("grace", "", role)).status).toBe(200);
    expect((await timeline("grace", "", "ingest")).status).toBe(403);
    const token = (await engine.http.post("/v1/learner-tokens").set("Authorization", as("ingest")).send({ learnerId: "grace" })).body.token as string;
    expect((await engine.http.get("/v1/learners/grace/timeline").set("Authorization", `Bearer ${token}`)).status).toBe(403);
  });
});
