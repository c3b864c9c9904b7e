import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { refreshSegmentNow } from "../../src/segments/refresh-segment";

describe("SQL segments", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;
  const members = async (key: string) => (await engine.ctx.prisma.segmentMember.findMany({ where: { segmentKey: key }, orderBy: { learnerId: "asc" } })).map((m) => m.learnerId);
  const postEvents = async (learnerId: string, n: number) => {
    const events = Array.from({ length: n }, () => buildEvent({ learnerId, courseId: "sql-101", type: "video.completed" }));
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ events })).status).toBe(202);
  };
  const create = (key: string, sql: string) => engine.http.post("/v1/segments").set("Authorization", author()).send({ key, name: key, type: "sql", sql, refreshIntervalMinutes: 60 });

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("adds and removes members as the underlying data changes, recording each diff", async () => {
    await postEvents("busy-1", 3);
    await postEvents("quiet-1", 1);
    const created = await create("busy", "SELECT learner_id FROM learner_course_state WHERE course_id = 'sql-101' AND event_count >= 3");
    expect(created.status).toBe(201);
    const first = await engine.http.post("/v1/segments/busy/refresh").set("Authorization", author());
    expect(first.body).toMatchObject({ status: "ok", added: 1, removed: 0, memberCount: 1 });
    expect(await members("busy")).toEqual(["busy-1"]);

    await postEvents("quiet-1", 2); // now 3 events: joins
    await engine.ctx.database.pool.query(`UPDATE learner_course_state SET event_count = 0 WHERE learner_id = 'busy-1'`); // leaves
    const second = await refreshSegmentNow(engine.ctx, "busy");
    expect(second).toMatchObject({ status: "ok", added: 1, removed: 1, memberCount: 1 });
    expect(await members("busy")).toEqual(["quiet-1"]);
    const refreshes = await engine.ctx.prisma.segmentRefresh.findMany({ where: { segmentKey: "busy" }, orderBy: { id: "asc" } });
    expect(refreshes.map((r) => [r.status, r.added, r.removed])).toEqual([
      ["ok", 1, 0],
      ["ok", 1, 1],
    ]);
  });

  it.each([
    ["a DELETE", "DELETE FROM learners RETURNING id AS learner_id", /is a DELETE statement; segment SQL must be exactly one SELECT/],
    ["a multi-statement string", "SELECT id AS learner_id FROM learners; DELETE FROM learners", /is 2 statements; segment SQL must be exactly one SELECT/],
    ["a query touching a forbidden table", "SELECT id::text AS learner_id FROM api_keys", /reads api_keys, which is not one of the analyst relations/],
    ["a data-modifying CTE", "WITH gone AS (DELETE FROM learners RETURNING id) SELECT id AS learner_id FROM gone", /modifies data \(a DELETE in WITH\)/],
    ["a query without learner_id", "SELECT id FROM learners", /must return a column named learner_id/],
    ["a syntax error", "SELECT learner_id FROM learners WHERE", /has a syntax error \(line 1, column 38\)/],
    [
      "an unknown column, named from the author's own text only",
      "SELECT learner_id FROM events WHERE no_such_column > 1",
      /refers to a column that does not exist near "no_such_column" \(line 1, column 37\)/,
    ],
  ])("rejects %s on save with a clear error at `sql`, and changes nothing", async (_name, sql, message) => {
    const before = await engine.ctx.prisma.learner.count();
    const res = await create(`bad-${Math.random().toString(36).slice(2, 8)}`, sql);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("sql");
    expect(res.body.errors[0].message).toMatch(message);
    expect(await engine.ctx.prisma.learner.count()).toBe(before);
    expect(await engine.ctx.prisma.segment.count({ where: { key: { startsWith: "bad-" } } })).toBe(0);
  });

  it("records a query that runs past its timeout as the segment's refresh error and keeps the members", async () => {
    await postEvents("slow-1", 1);
    // Slow but allowed (pg_sleep is refused): a large cross join that finds nothing.
    const created = await create("slow", "SELECT s.learner_id FROM learner_course_state s CROSS JOIN generate_series(1, 500000000) g WHERE g = -1");
    expect(created.status).toBe(201);
    await engine.ctx.prisma.segmentMember.create({ data: { segmentKey: "slow", learnerId: "kept" } });
    const result = await refreshSegmentNow(engine.ctx, "slow", { timeoutMs: 100, maxRows: 1000 });
    expect(result.status).toBe("error");
    expect(result.error).toMatch(/timeout/);
    const segment = await engine.ctx.prisma.segment.findUniqueOrThrow({ where: { key: "slow" } });
    expect(segment.lastRefreshStatus).toBe("error");
    expect(segment.lastRefreshError).toMatch(/timeout/);
    expect(await members("slow")).toEqual(["kept"]);
  });

  it("enforces the row cap", async () => {
    await postEvents("cap-1", 1);
    await postEvents("cap-2", 1);
    await create("capped", "SELECT learner_id FROM learner_course_state");
    const result = await refreshSegmentNow(engine.ctx, "capped", { timeoutMs: 5_000, maxRows: 1 });
    expect(result.status).toBe("error");
    expect(result.error).toMatch(/row cap/);
  });
});
