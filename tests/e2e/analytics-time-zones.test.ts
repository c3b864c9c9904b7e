/**
 * Analytics in the viewer's time zone: with ?timezone=, date-only bounds are that zone's midnights and `day`
 * groups are its local dates (a 25-hour DST day stays one day), for message rates and for suppressions by day;
 * without it, days stay UTC days as the `analytics` views have them. An unknown zone is 400 naming it.
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { insertMessage } from "../factories/messages";

describe("analytics in the viewer's time zone", () => {
  let engine: TestEngine;
  const get = (path: string) => engine.http.get(path).set("Authorization", `Bearer ${engine.keys.analyst}`);
  const lateEvening = new Date("2026-11-20T23:30:00Z"); // 20 Nov in UTC and Los Angeles, 21 Nov in Tokyo

  beforeAll(async () => {
    engine = await startTestEngine();
    await insertMessage(engine.ctx, { deliveredAt: lateEvening, courseId: "tz-101", vote: "helpful" });
    // Europe/Paris, 25 Oct 2026 (clocks go back): 00:30 CEST and 23:30 CET are the same local day, 25 hours apart.
    await insertMessage(engine.ctx, { deliveredAt: new Date("2026-10-24T22:30:00Z"), courseId: "dst-101" });
    await insertMessage(engine.ctx, { deliveredAt: new Date("2026-10-25T22:30:00Z"), courseId: "dst-101" });
    await insertMessage(engine.ctx, { deliveredAt: new Date("2026-10-25T23:30:00Z"), courseId: "dst-101" }); // 26 Oct 00:30 in Paris
    await engine.ctx.prisma.suppression.createMany({
      data: [
        { outcome: "suppressed", reason: "cap.day", learnerId: "L1", courseId: "tz-101", createdAt: lateEvening },
        { outcome: "deferred", reason: "quiet_hours", learnerId: "L1", courseId: "tz-101", createdAt: new Date("2026-11-21T01:00:00Z") },
      ],
    });
  });
  afterAll(async () => engine.close());

  it("reads a one-day range as that local day: the To date is the next day's midnight in the zone", async () => {
    const tokyo = await get("/v1/analytics/messages?groupBy=day&courseId=tz-101&from=2026-11-21&to=2026-11-22&timezone=Asia/Tokyo");
    expect(tokyo.status).toBe(200);
    expect(tokyo.body.rows).toEqual([expect.objectContaining({ day: "2026-11-21", delivered: 1, helpful: 1 })]);
    const utc = await get("/v1/analytics/messages?groupBy=day&courseId=tz-101&from=2026-11-21&to=2026-11-22");
    expect(utc.body.rows).toEqual([]);
    const la = await get("/v1/analytics/messages?groupBy=day&courseId=tz-101&from=2026-11-20&to=2026-11-21&timezone=America/Los_Angeles");
    expect(la.body.rows).toEqual([expect.objectContaining({ day: "2026-11-20", delivered: 1 })]);
  });

  it("keeps a 25-hour DST day as one local day", async () => {
    const res = await get("/v1/analytics/messages?groupBy=day&courseId=dst-101&from=2026-10-25&to=2026-10-27&timezone=Europe/Paris");
    expect(res.body.rows.map((r: { day: string; delivered: number }) => [r.day, r.delivered])).toEqual([
      ["2026-10-25", 2],
      ["2026-10-26", 1],
    ]);
  });

  it("counts suppressions and deferrals per local day and reason, as JSON and CSV", async () => {
    const res = await get("/v1/analytics/suppressions?groupBy=day,reason,outcome&courseId=tz-101&timezone=Asia/Tokyo");
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual(
      expect.arrayContaining([
        { day: "2026-11-21", reason: "cap.day", outcome: "suppressed", count: 1 },
        { day: "2026-11-21", reason: "quiet_hours", outcome: "deferred", count: 1 },
      ]),
    );
    const utc = await get("/v1/analytics/suppressions?groupBy=day,reason&courseId=tz-101");
    expect(utc.body.rows).toEqual(
      expect.arrayContaining([
        { day: "2026-11-20", reason: "cap.day", count: 1 },
        { day: "2026-11-21", reason: "quiet_hours", count: 1 },
      ]),
    );
    const csv = await get("/v1/analytics/suppressions?groupBy=day,reason&courseId=tz-101&timezone=Asia/Tokyo&from=2026-11-21&to=2026-11-22").set("Accept", "text/csv");
    expect(csv.headers["content-type"]).toMatch(/text\/csv/);
    expect(csv.text.trim().split("\r\n").slice(1).sort()).toEqual(["2026-11-21,cap.day,1", "2026-11-21,quiet_hours,1"]);
  });

  it("agrees with the analytics views when no zone is given", async () => {
    const { rows } = await engine.ctx.database.pool.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, reason, sum(count)::int AS count FROM analytics.suppression_counts GROUP BY 1, 2 ORDER BY 1, 2`);
    const api = (await get("/v1/analytics/suppressions?groupBy=day,reason")).body.rows as Array<{ day: string; reason: string; count: number }>;
    expect([...api].sort((a, b) => (a.day + a.reason).localeCompare(b.day + b.reason))).toEqual(rows);
  });

  it("refuses an unknown zone or a malformed date with 400 naming the parameter", async () => {
    for (const bad of ["Mars/Olympus_Mons", "'; DROP TABLE messages; --", "x".repeat(65)]) {
      const res = await get(`/v1/analytics/messages?groupBy=day&timezone=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe("query.timezone");
    }
    const date = await get("/v1/analytics/suppressions?from=2026-13-45");
    expect(date.status).toBe(400);
    expect(date.body.errors[0]).toEqual({ path: "query.from", message: "must be a date (YYYY-MM-DD) or an instant with an offset (2026-11-30T09:00:00Z)" });
  });
});
