import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { Redis } from "ioredis";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { ADMIN_URL, templateDbName, withDatabase } from "../setup/databases";
import { loadConfig } from "../../src/config";
import { createEngine, closeEngine } from "../../src/engine";
import { ownerKey } from "../../src/queue/prefix-owner";

/**
 * One engine per queue prefix and database. Two databases sharing a Redis and a prefix (a second checkout, staging
 * beside dev) would take each other's jobs; the second to start must refuse, saying which databases collide and
 * what to do. Processes of one engine (one database) share the prefix freely.
 */
describe("a queue prefix owned by one engine", () => {
  const prefix = `coach-test-owner-${randomUUID().slice(0, 8)}`;
  const otherDb = `coach_prefix_${process.env.JEST_WORKER_ID ?? "1"}_${Date.now()}`;
  let admin: Client;
  let engine: TestEngine;
  let redis: Redis;
  const key = ownerKey(`{${prefix}}`);

  beforeAll(async () => {
    admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${otherDb}" TEMPLATE "${templateDbName()}"`); // this run's migrated template
    // keepData: this engine's id lives in `settings`, which a reset would empty under its feet.
    engine = await startTestEngine({ keepData: true, env: { COACH_QUEUE_PREFIX: prefix } });
    redis = new Redis(engine.ctx.config.redisUrl);
  });
  afterAll(async () => {
    await engine.close();
    redis.disconnect();
    await admin.query(`DROP DATABASE IF EXISTS "${otherDb}" WITH (FORCE)`);
    await admin.end();
  });

  const configFor = (databaseUrl: string) => loadConfig({ ...process.env, DATABASE_URL: databaseUrl, COACH_QUEUE_PREFIX: prefix, LOG_LEVEL: "silent" });

  it("records the database that owns the prefix", async () => {
    const owner = JSON.parse((await redis.get(key))!);
    const database = (await engine.ctx.database.pool.query<{ db: string }>("SELECT current_database() AS db")).rows[0].db;
    expect(owner).toEqual({ engineId: expect.any(String), database });
  });

  it("refuses to start a process of another database on the prefix, naming both databases and the fix", async () => {
    const mine = (await engine.ctx.database.pool.query<{ db: string }>("SELECT current_database() AS db")).rows[0].db;
    const attempt = createEngine(configFor(withDatabase(otherDb)));
    await expect(attempt).rejects.toThrow(new RegExp(`in use by the engine of database "${mine}".*this process runs on database "${otherDb}".*COACH_QUEUE_PREFIX`));
    // It refused before bootstrapping anything: no admin key was made in its database.
    const other = new Client({ connectionString: withDatabase(otherDb) });
    await other.connect();
    try {
      expect((await other.query(`SELECT count(*)::int AS n FROM api_keys`)).rows[0].n).toBe(0);
    } finally {
      await other.end();
    }
  });

  it("lets any number of processes of the same engine share the prefix", async () => {
    const processes = await Promise.all([1, 2, 3].map(() => createEngine(configFor(engine.ctx.config.databaseUrl!))));
    await Promise.all(processes.map((ctx) => closeEngine(ctx)));
  });

  it("records it again when Redis lost it, and reports (readyz 503) a prefix taken by another database meanwhile", async () => {
    await redis.del(key);
    await engine.ctx.queues.keeper.check();
    expect(JSON.parse((await redis.get(key))!).engineId).toBe((await engine.ctx.prisma.setting.findUniqueOrThrow({ where: { key: "engine_id" } })).value);

    const mine = await redis.get(key);
    await redis.set(key, JSON.stringify({ engineId: "someone-else", database: "coach_staging" }));
    try {
      await engine.ctx.queues.keeper.check();
      const ready = await engine.http.get("/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body.checks.queuePrefix).toBe(`in use by the engine of database "coach_staging" (set COACH_QUEUE_PREFIX)`);
    } finally {
      await redis.set(key, mine!);
    }
    await engine.ctx.queues.keeper.check();
    expect((await engine.http.get("/readyz")).status).toBe(200);
  });
});
