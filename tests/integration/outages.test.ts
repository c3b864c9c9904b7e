import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvents, buildEvent } from "../factories/events";
import { sweepOutbox } from "../../src/maintenance/sweep-outbox";
import { openDatabase } from "../../src/db/client";
import { buildApp } from "../../src/http/app";
import request from "supertest";

describe("when a dependency is down", () => {
  it("accepts and stores events with Redis unreachable, and once Redis is back each event reaches the matching queue exactly once", async () => {
    const offline = await startTestEngine({ env: { REDIS_URL: "redis://127.0.0.1:1", COACH_SWEEP_AFTER_MS: "1" } });
    let online: TestEngine | undefined;
    try {
      const events = buildEvents(30, { courseId: "outage-101" });
      const started = Date.now();
      const res = await offline.http.post("/v1/events").set("Authorization", `Bearer ${offline.keys.ingest}`).send({ events });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: 30, duplicates: 0 });
      expect(Date.now() - started).toBeLessThan(5_000); // a Redis outage never hangs ingest
      const stored = await offline.ctx.database.pool.query("SELECT count(*)::int AS n FROM events WHERE course_id = 'outage-101' AND matched_at IS NULL");
      expect(stored.rows[0].n).toBe(30);

      // Redis "returns": an engine on the same database with a reachable Redis runs the sweeper twice.
      online = await startTestEngine({ env: { COACH_SWEEP_AFTER_MS: "1" }, keepData: true });
      await new Promise((r) => setTimeout(r, 5));
      const first = await sweepOutbox(online.ctx);
      const second = await sweepOutbox(online.ctx);
      expect(first.events).toBe(30);
      expect(second.events).toBe(30); // still unmatched, so offered again…
      const jobs = await online.ctx.queues.queue("match").getJobs(["waiting", "delayed", "active", "prioritized"]);
      const queued = jobs.flatMap((j) => (j.data as { eventIds: string[] }).eventIds).sort();
      expect(queued).toEqual(events.map((e) => e.id).sort()); // …but each is in the queue once
    } finally {
      await online?.close();
      await offline.close();
    }
  });

  it("answers 503 problem+json with Retry-After when PostgreSQL is unreachable, never 2xx", async () => {
    const engine = await startTestEngine();
    const deadDb = openDatabase("postgresql://postgres@127.0.0.1:1/coach");
    try {
      const ctx = { ...engine.ctx, database: deadDb, prisma: deadDb.prisma };
      const http = request(buildApp(ctx));
      const res = await http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send(buildEvent());
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBeDefined();
      expect(res.headers["content-type"]).toMatch(/problem\+json/);
      const ready = await http.get("/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body.checks.redis).toBe("ok");
    } finally {
      await deadDb.close().catch(() => undefined);
      await engine.close();
    }
  });
});
