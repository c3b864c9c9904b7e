import pino from "pino";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from "../../scripts/support/private-services";
import { ownerKey } from "../../src/queue/prefix-owner";
import { describeUnlessMissing } from "../setup/describe-when";

/**
 * Redis is not the record of anything, and nothing the engine needs in it may be lost for good: a Redis killed
 * mid-load and restarted EMPTY (no persistence, as a cache-style Redis runs) loses every queued job and the
 * maintenance schedulers. The engine keeps running — it is not restarted — and must still match every event it
 * acknowledged and deliver every message it scheduled. All of it on a redis-server of this test's own.
 */
jest.setTimeout(480_000);

const describeWithRedis = describeUnlessMissing(redisServerAvailable() ? null : "redis-server is not installed");

describeWithRedis("when Redis dies and comes back empty", () => {
  let redis: PrivateRedis;
  let engine: TestEngine;
  const lines: Array<{ msg: string; time: number }> = [];
  const as = (role: "author" | "ingest") => `Bearer ${engine.keys[role]}`;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push({ ...(JSON.parse(line) as { msg: string }), time: Date.now() }) });
    engine = await startTestEngine({ workers: true, log, env: { REDIS_URL: redis.url, COACH_SWEEP_AFTER_MS: "2000", COACH_SWEEP_EVERY_MS: "1000" } });
    expect((await engine.http.put("/v1/policy").set("Authorization", as("author")).send({ maxPerDay: 1000, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null })).status).toBe(200);
    expect(
      (
        await engine.http
          .post("/v1/templates")
          .set("Authorization", as("author"))
          .send({ key: "chaos", name: "Chaos", kind: "nudge", variants: [{ key: "A", title: "Hi", body: "Hi", weight: 1 }] })
      ).status,
    ).toBe(201);
    for (const [key, delaySeconds] of [
      ["chaos-now", 0],
      ["chaos-later", 3],
    ] as const) {
      expect(
        (
          await engine.http
            .post("/v1/rules")
            .set("Authorization", as("author"))
            .send({ key, name: key, templateKey: "chaos", delaySeconds, trigger: { eventType: `${key.replace("-", "_")}.tick`, courseId: "r-101" } })
        ).status,
      ).toBe(201);
    }
  });
  afterAll(async () => {
    // Bounded: a worker closed soon after a Redis crash can wait forever on its blocking connection's last command.
    await engine?.workers?.close(10_000);
    if (engine) engine.workers = null;
    await engine?.close();
    await redis?.stop();
  });

  it("matches every acknowledged event and delivers every scheduled message after a SIGKILL and an empty restart, without restarting the engine", async () => {
    const acknowledged: string[] = [];
    let sending = true;
    let n = 0;
    const load = (async () => {
      while (sending) {
        const events = Array.from({ length: 50 }, () => buildEvent({ learnerId: `rr-${n++ % 200}`, courseId: "r-101", type: n % 3 === 0 ? "chaos_later.tick" : "chaos_now.tick" }));
        const res = await engine.http.post("/v1/events").set("Authorization", as("ingest")).send({ events });
        if (res.status === 202) acknowledged.push(...events.map((e) => e.id));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor(
      async () => acknowledged.length,
      (count) => count >= 1_000,
    );

    await redis.kill();
    const killedAt = Date.now();
    const before = acknowledged.length;
    await waitFor(
      async () => acknowledged.length,
      (count) => count >= before + 1_000,
    ); // ingest goes on without Redis
    await new Promise((r) => setTimeout(r, Math.max(0, 3_000 - (Date.now() - killedAt))));
    const outageLines = lines.filter((l) => l.time >= killedAt && l.msg === "worker error").length;
    await redis.restart();
    const during = acknowledged.length;
    await waitFor(
      async () => acknowledged.length,
      (count) => count >= during + 500,
    );
    sending = false;
    await load;

    const pool = engine.ctx.database.pool;
    await waitFor(
      async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE id = ANY($1) AND matched_at IS NULL`, [acknowledged])).rows[0].n,
      (unmatched) => unmatched === 0,
      180_000,
      250,
    );
    await waitFor(
      async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE event_id = ANY($1) AND status = 'scheduled'`, [acknowledged])).rows[0].n,
      (scheduled) => scheduled === 0,
      180_000,
      250,
    );
    const { rows } = await pool.query<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM messages WHERE event_id = ANY($1) GROUP BY status`, [acknowledged]);
    expect(Object.fromEntries(rows.map((r) => [r.status, r.n]))).toEqual({ delivered: acknowledged.length }); // one message per event: none lost, none twice

    // The schedulers and the prefix's owner record are back, and the outage was a few log lines, not several a second.
    expect(await engine.ctx.queues.queue("maintenance").getJobScheduler("sweep-outbox")).toBeTruthy();
    expect(await engine.ctx.queues.connection.get(ownerKey(engine.ctx.queues.prefix))).toContain(engine.ctx.config.databaseUrl!.split("/").pop()!);
    expect(outageLines).toBeLessThanOrEqual(6);
  });

  it("/readyz fails with a plain problem document within about 2 s while Redis is frozen (SIGSTOP), and recovers on SIGCONT", async () => {
    expect((await engine.http.get("/readyz")).status).toBe(200);
    redis.signal("SIGSTOP");
    try {
      const started = Date.now();
      const res = await engine.http.get("/readyz");
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(res.headers["retry-after"]).toBeDefined();
      expect(res.body).toMatchObject({ status: 503, detail: "Not ready: redis not answering within 1500 ms", checks: { database: "ok", redis: "not answering within 1500 ms" } });
      expect(took).toBeLessThan(2_500);
    } finally {
      redis.signal("SIGCONT");
    }
    await waitFor(
      async () => (await engine.http.get("/readyz")).status,
      (status) => status === 200,
    );
  });

  it("/readyz says plainly that Redis is unreachable while it is down, not the client library's text", async () => {
    await redis.kill();
    try {
      const res = await waitFor(
        () => engine.http.get("/readyz"),
        (r) => r.status === 503,
      );
      expect(res.body.checks.redis).toBe("unreachable");
      expect(res.body.detail).toBe("Not ready: redis unreachable");
    } finally {
      await redis.restart();
    }
    await waitFor(
      async () => (await engine.http.get("/readyz")).status,
      (status) => status === 200,
    );
  });
});
