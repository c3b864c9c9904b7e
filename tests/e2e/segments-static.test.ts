import { startTestEngine, type TestEngine } from "../setup/test-engine";

describe("static segments", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  const as = (role: "author" | "analyst" | "ingest") => `Bearer ${engine.keys[role]}`;
  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `learner-${String(from + i).padStart(6, "0")}`);

  it("creates a segment, rejects a duplicate key with 409 and a bad key with a path", async () => {
    const created = await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "paid-learners", name: "Paid", type: "static" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: "paid-learners", type: "static", memberCount: 0 });
    expect((await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "paid-learners", name: "Again", type: "static" })).status).toBe(409);
    const bad = await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "Bad Key", name: "x", type: "static" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("key");
  });

  it("adds, removes and lists members with keyset pages", async () => {
    await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "small", name: "Small", type: "static" });
    const add = await engine.http
      .put("/v1/segments/small/members")
      .set("Authorization", as("author"))
      .send({ learnerIds: ["a", "b", "c", "d", "a"], mode: "add" });
    expect(add.body).toEqual({ added: 4, removed: 0, memberCount: 4 });
    const remove = await engine.http
      .put("/v1/segments/small/members")
      .set("Authorization", as("author"))
      .send({ learnerIds: ["b", "zzz"], mode: "remove" });
    expect(remove.body).toEqual({ added: 0, removed: 1, memberCount: 3 });
    const page1 = await engine.http.get("/v1/segments/small/members?limit=2").set("Authorization", as("analyst"));
    expect(page1.body.members.map((m: { learnerId: string }) => m.learnerId)).toEqual(["a", "c"]);
    const page2 = await engine.http.get(`/v1/segments/small/members?limit=2&cursor=${page1.body.nextCursor}`).set("Authorization", as("analyst"));
    expect(page2.body.members.map((m: { learnerId: string }) => m.learnerId)).toEqual(["d"]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it("uploads 100,000 members in one request and replaces them with a half that overlaps, as a diff", async () => {
    await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "big", name: "Big", type: "static" });
    const upload = await engine.http
      .put("/v1/segments/big/members")
      .set("Authorization", as("author"))
      .send({ learnerIds: ids(0, 100_000), mode: "replace" });
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({ added: 100_000, removed: 0, memberCount: 100_000 });
    // Keep the second half, drop the first half: 50,000 removed, nothing added.
    const replace = await engine.http
      .put("/v1/segments/big/members")
      .set("Authorization", as("author"))
      .send({ learnerIds: ids(50_000, 100_000), mode: "replace" });
    expect(replace.body).toEqual({ added: 0, removed: 50_000, memberCount: 50_000 });
    const { rows } = await engine.ctx.database.pool.query(`SELECT min(learner_id) AS first, count(*)::int AS n FROM segment_members WHERE segment_key = 'big'`);
    expect(rows[0]).toEqual({ first: "learner-050000", n: 50_000 });
    const refreshes = await engine.ctx.prisma.segmentRefresh.findMany({ where: { segmentKey: "big" }, orderBy: { id: "asc" } });
    expect(refreshes.map((r) => [r.added, r.removed])).toEqual([
      [100_000, 0],
      [0, 50_000],
    ]);
  });

  it("rejects more than 100,000 ids with a path and stores none", async () => {
    await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "too-big", name: "x", type: "static" });
    const res = await engine.http
      .put("/v1/segments/too-big/members")
      .set("Authorization", as("author"))
      .send({ learnerIds: ids(0, 100_001), mode: "add" });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("learnerIds");
    expect((await engine.ctx.prisma.segment.findUniqueOrThrow({ where: { key: "too-big" } })).memberCount).toBe(0);
  });

  it("lets analysts read but not write, and ingest keys neither", async () => {
    expect((await engine.http.get("/v1/segments").set("Authorization", as("analyst"))).status).toBe(200);
    expect((await engine.http.post("/v1/segments").set("Authorization", as("analyst")).send({ key: "x", name: "x", type: "static" })).status).toBe(403);
    expect((await engine.http.get("/v1/segments").set("Authorization", as("ingest"))).status).toBe(403);
  });

  it("deletes a segment with its members", async () => {
    await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "gone", name: "x", type: "static" });
    await engine.http
      .put("/v1/segments/gone/members")
      .set("Authorization", as("author"))
      .send({ learnerIds: ["a"], mode: "add" });
    expect((await engine.http.delete("/v1/segments/gone").set("Authorization", as("author"))).status).toBe(204);
    expect((await engine.http.get("/v1/segments/gone").set("Authorization", as("author"))).status).toBe(404);
    expect(await engine.ctx.prisma.segmentMember.count({ where: { segmentKey: "gone" } })).toBe(0);
  });
});
