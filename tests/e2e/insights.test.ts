import { startTestEngine, type TestEngine } from "../setup/test-engine";

describe("PUT /v1/insights", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  const put = (body: unknown, role: "author" | "analyst" = "author") =>
    engine.http
      .put("/v1/insights")
      .set("Authorization", `Bearer ${engine.keys[role]}`)
      .send(body as object);

  it("upserts 10,000 rows in one request, the latest value winning", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ learnerId: `L${i}`, courseId: "ml-101", key: "dropoutRisk", value: i % 100, score: (i % 100) / 100 }));
    expect((await put(rows)).body).toEqual({ upserted: 10_000 });
    expect((await put([{ learnerId: "L7", courseId: "ml-101", key: "dropoutRisk", value: "high", score: 0.9, metadata: { model: "v2" } }])).status).toBe(200);
    expect(await engine.ctx.prisma.insight.count()).toBe(10_000);
    const row = await engine.ctx.prisma.insight.findUniqueOrThrow({ where: { learnerId_courseId_key: { learnerId: "L7", courseId: "ml-101", key: "dropoutRisk" } } });
    expect(row).toMatchObject({ value: "high", score: 0.9, metadata: { model: "v2" } });
  });

  it("accepts course-less insights and the {insights: [...]} form", async () => {
    expect((await put({ insights: [{ learnerId: "G1", key: "recommendedNextModule", value: { id: "week-3", title: "Trees" } }] })).body).toEqual({ upserted: 1 });
    const row = await engine.ctx.prisma.insight.findFirstOrThrow({ where: { learnerId: "G1" } });
    expect(row.courseId).toBe("");
  });

  it("rejects a bad row with its path and stores nothing of the request", async () => {
    const before = await engine.ctx.prisma.insight.count();
    const res = await put([
      { learnerId: "A", key: "ok", value: 1 },
      { learnerId: "B", key: "not a key!", value: 1 },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain("[1].key");
    expect(await engine.ctx.prisma.insight.count()).toBe(before);
  });

  it("is for authors: analysts get 403", async () => {
    expect((await put([{ learnerId: "A", key: "k", value: 1 }], "analyst")).status).toBe(403);
  });
});
