import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { insertMessage } from "../factories/messages";
import { wilsonInterval } from "../../src/analytics/stats/wilson";

describe("analytics", () => {
  let engine: TestEngine;
  const get = (path: string, role: "analyst" | "ingest" = "analyst") => engine.http.get(path).set("Authorization", `Bearer ${engine.keys[role]}`);

  beforeAll(async () => {
    engine = await startTestEngine();
    const day1 = new Date("2026-11-20T10:00:00Z");
    const day2 = new Date("2026-11-21T10:00:00Z");
    // Variant A: 4 delivered — 1 helpful+clicked, 1 not helpful, 1 dismissed, 1 untouched. Variant B: 2 delivered, both helpful.
    const a = { templateKey: "t", ruleKey: "r", variant: "A", courseId: "c1", deliveredAt: day1 };
    await insertMessage(engine.ctx, { ...a, vote: "helpful", clickedAt: day1, seenAt: day1 });
    await insertMessage(engine.ctx, { ...a, vote: "not_helpful", seenAt: day1 });
    await insertMessage(engine.ctx, { ...a, dismissedAt: day1, seenAt: day1, status: "dismissed" });
    await insertMessage(engine.ctx, { ...a, deliveredAt: day2 });
    await insertMessage(engine.ctx, { ...a, variant: "B", vote: "helpful", deliveredAt: day2 });
    await insertMessage(engine.ctx, { ...a, variant: "B", vote: "helpful", courseId: "c2", deliveredAt: day2 });
    await insertMessage(engine.ctx, { ...a, status: "scheduled", deliveredAt: null }); // not delivered: not counted
    await engine.ctx.prisma.suppression.createMany({
      data: [
        { outcome: "suppressed", reason: "cap.day", learnerId: "L1", ruleKey: "r", courseId: "c1", createdAt: day1 },
        { outcome: "suppressed", reason: "cap.day", learnerId: "L2", ruleKey: "r", courseId: "c1", createdAt: day1 },
        { outcome: "deferred", reason: "quiet_hours", learnerId: "L1", ruleKey: "r", courseId: "c1", createdAt: day2 },
      ],
    });
  });
  afterAll(async () => engine.close());

  it("counts and rates per variant with Wilson intervals", async () => {
    const res = await get("/v1/analytics/messages?groupBy=variant");
    expect(res.status).toBe(200);
    const [a, b] = res.body.rows;
    expect(a).toMatchObject({ variant: "A", delivered: 4, seen: 3, clicked: 1, dismissed: 1, responded: 0, helpful: 1, notHelpful: 1, engagementRate: 0.5, helpfulRate: 0.5 });
    expect(a.helpfulRateCI).toEqual(wilsonInterval(1, 2));
    expect(a.helpfulRateCI[0]).toBeCloseTo(0.0945, 3);
    expect(a.helpfulRateCI[1]).toBeCloseTo(0.9055, 3);
    expect(b).toMatchObject({ variant: "B", delivered: 2, helpful: 2, notHelpful: 0, engagementRate: 1, helpfulRate: 1 });
  });

  it("filters by course and date range and groups by day", async () => {
    const res = await get("/v1/analytics/messages?groupBy=day&courseId=c1&from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z");
    expect(res.body.rows).toEqual([expect.objectContaining({ day: "2026-11-21", delivered: 2 })]);
  });

  it("gives the same rows as CSV", async () => {
    const res = await get("/v1/analytics/messages?groupBy=variant").set("Accept", "text/csv");
    expect(res.headers["content-type"]).toMatch(/text\/csv/);
    const [header, first] = res.text.trim().split("\r\n");
    expect(header.split(",")).toEqual(expect.arrayContaining(["variant", "delivered", "helpfulRateCILow", "helpfulRateCIHigh"]));
    const row = Object.fromEntries(header.split(",").map((h, i) => [h, first.split(",")[i]]));
    expect(row).toMatchObject({ variant: "A", delivered: "4", helpfulRate: "0.5" });
  });

  it("matches what an analyst gets from the analytics views directly", async () => {
    const api = (await get("/v1/analytics/messages?groupBy=template,variant,rule,course,day")).body.rows;
    const { rows } = await engine.ctx.database.pool.query(
      `SELECT template_key, variant, rule_key, course_id, to_char(day, 'YYYY-MM-DD') AS day, delivered::int, helpful::int, not_helpful::int, engagement_rate FROM analytics.message_rates_daily ORDER BY 1, 2, 3, 4, 5`,
    );
    expect(api.map((r: Record<string, unknown>) => [r.template, r.variant, r.rule, r.course, r.day, r.delivered, r.helpful, r.notHelpful, r.engagementRate])).toEqual(
      rows.map((r) => [r.template_key, r.variant, r.rule_key, r.course_id, r.day, r.delivered, r.helpful, r.not_helpful, r.engagement_rate]),
    );
  });

  it("counts suppressions by reason", async () => {
    const res = await get("/v1/analytics/suppressions");
    expect(res.body.rows).toEqual([
      { reason: "cap.day", count: 2 },
      { reason: "quiet_hours", count: 1 },
    ]);
  });

  it("rejects an unknown groupBy with a path, and ingest keys with 403", async () => {
    const bad = await get("/v1/analytics/messages?groupBy=variant,colour");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("query.groupBy");
    expect((await get("/v1/analytics/messages", "ingest")).status).toBe(403);
  });
});
