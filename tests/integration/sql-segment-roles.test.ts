/**
 * The segment role on a cluster that checks passwords (scram-sha-256, as production does), private to this
 * test: two databases migrated and refreshing at once each get their own role and do not disturb each other;
 * a role whose password was changed behind the engine's back is repaired at the next login; an engine user
 * with CREATEROLE but no superuser gets a working role; and one without CREATEROLE gets a plain 503 until an
 * operator creates the role as the README says and sets COACH_SEGMENT_DATABASE_URL.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import request from "supertest";
import { findInitdb, startPrivatePostgres, type PrivatePostgres } from "../../scripts/support/private-services";
import { freePort } from "../../src/lib/free-port";
import { waitFor } from "../setup/wait-for";
import { loadConfig } from "../../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../../src/engine";
import { createLogger } from "../../src/lib/logger";
import { buildApp } from "../../src/http/app";
import { createApiKey } from "../../src/auth/api-keys";
import { buildEvent } from "../factories/events";
import { describeUnlessMissing } from "../setup/describe-when";

const describeWithPostgres = describeUnlessMissing(findInitdb() ? null : "initdb (PostgreSQL's server binaries) is not installed");

const SUPER_PASSWORD = "super-secret-pw";

async function sql(url: string, text: string): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

interface RunningEngine {
  http: ReturnType<typeof request>;
  author: string;
  ingest: string;
  close(): Promise<void>;
}

/** Migrates `url` as its user, then runs an engine on it (the API in process, no workers). */
async function startEngineOn(url: string, env: Record<string, string> = {}): Promise<RunningEngine> {
  const config = loadConfig({ ...process.env, DATABASE_URL: url, COACH_QUEUE_PREFIX: `coach-roles-${randomUUID().slice(0, 8)}`, LOG_LEVEL: "silent", ...env });
  await prepareDatabase(config, createLogger("silent"));
  const ctx = await createEngine(config, { log: createLogger("silent") });
  const author = `Bearer ${(await createApiKey(ctx.prisma, { name: "author", role: "author" }, "test")).secret}`;
  const ingest = `Bearer ${(await createApiKey(ctx.prisma, { name: "ingest", role: "ingest" }, "test")).secret}`;
  return {
    http: request(buildApp(ctx)),
    author,
    ingest,
    async close() {
      await ctx.queues.obliterateAll();
      await closeEngine(ctx);
    },
  };
}

/** Posts events for `learners`, saves a SQL segment of them, refreshes it; returns the refresh's answer. */
async function segmentOf(engine: RunningEngine, key: string, learners: string[]) {
  const events = learners.map((learnerId) => buildEvent({ learnerId, courseId: key }));
  expect((await engine.http.post("/v1/events").set("Authorization", engine.ingest).send({ events })).status).toBe(202);
  const created = await engine.http
    .post("/v1/segments")
    .set("Authorization", engine.author)
    .send({ key, name: key, type: "sql", sql: `SELECT learner_id FROM events WHERE course_id = '${key}'` });
  if (created.status !== 201) return created;
  return engine.http.post(`/v1/segments/${key}/refresh`).set("Authorization", engine.author);
}

describeWithPostgres("the segment role on a cluster with password authentication", () => {
  let pg: PrivatePostgres;
  let port: number;
  const url = (user: string, password: string, db: string) => `postgresql://${user}:${password}@127.0.0.1:${port}/${db}`;
  const superUrl = (db: string) => url("postgres", SUPER_PASSWORD, db);

  beforeAll(async () => {
    port = await freePort();
    pg = await startPrivatePostgres(port);
    await sql(pg.url, `ALTER ROLE postgres PASSWORD '${SUPER_PASSWORD}'`);
    // The earlier migration 20261124020000_segment_reader creates this cluster-wide role when missing, and two
    // fresh databases migrating at once can race on it (unique violation); an existing cluster already has it.
    await sql(pg.url, "CREATE ROLE coach_segment_reader NOLOGIN");
    writeFileSync(join(pg.dataDir, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
    await sql(pg.url, "SELECT pg_reload_conf()");
    await waitFor(
      () =>
        sql(url("postgres", "wrong", "postgres"), "SELECT 1").then(
          () => "accepted",
          (e: { code?: string }) => e.code ?? "error",
        ),
      (v) => v === "28P01",
    );
  });
  afterAll(() => pg?.destroy());

  it("gives two databases migrated and refreshing at once a role each, logging in with its stored password", async () => {
    await sql(superUrl("postgres"), "CREATE DATABASE coach_a");
    await sql(superUrl("postgres"), "CREATE DATABASE coach_b");
    const [a, b] = await Promise.all([startEngineOn(superUrl("coach_a")), startEngineOn(superUrl("coach_b"))]);
    try {
      const [ra, rb] = await Promise.all([segmentOf(a, "in-a", ["a1", "a2"]), segmentOf(b, "in-b", ["b1"])]);
      expect(ra.body).toMatchObject({ status: "ok", added: 2, memberCount: 2 });
      expect(rb.body).toMatchObject({ status: "ok", added: 1, memberCount: 1 });
      const roles = await sql(
        superUrl("postgres"),
        `SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$%' AS scram, rolsuper, rolinherit FROM pg_authid WHERE rolname LIKE 'coach_segments_%' ORDER BY 1`,
      );
      expect(roles).toEqual([
        { rolname: "coach_segments_coach_a", scram: true, rolsuper: false, rolinherit: false },
        { rolname: "coach_segments_coach_b", scram: true, rolsuper: false, rolinherit: false },
      ]);
      // Each role reads its own database only: coach_b's role has no grant in coach_a.
      const [grants] = await sql(
        superUrl("coach_a"),
        `SELECT has_table_privilege('coach_segments_coach_b', 'events', 'SELECT') AS other, has_table_privilege('coach_segments_coach_a', 'events', 'SELECT') AS own`,
      );
      expect(grants).toEqual({ other: false, own: true });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("repairs a role whose password was changed behind the engine's back, at its next login", async () => {
    await sql(superUrl("postgres"), `ALTER ROLE coach_segments_coach_a PASSWORD 'changed-behind-its-back'`);
    const a = await startEngineOn(superUrl("coach_a"));
    try {
      const refreshed = await a.http.post("/v1/segments/in-a/refresh").set("Authorization", a.author);
      expect(refreshed.body).toMatchObject({ status: "ok", memberCount: 2 });
      const [stored] = await sql(superUrl("coach_a"), "SELECT role_name, password FROM coach_private.segment_sandbox_login");
      await sql(url(String(stored.role_name), String(stored.password), "coach_a"), "SELECT 1"); // the stored password works again
    } finally {
      await a.close();
    }
  });

  it("works for an engine user with CREATEROLE that is not a superuser (no temp_file_limit then)", async () => {
    await sql(superUrl("postgres"), "CREATE ROLE coach_creator LOGIN CREATEROLE PASSWORD 'creator-pw'");
    await sql(superUrl("postgres"), "CREATE DATABASE coach_c OWNER coach_creator");
    const c = await startEngineOn(url("coach_creator", "creator-pw", "coach_c"));
    try {
      expect((await segmentOf(c, "in-c", ["c1"])).body).toMatchObject({ status: "ok", added: 1 });
      const [role] = await sql(
        superUrl("postgres"),
        `SELECT rolconfig, (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships FROM pg_roles r WHERE rolname = 'coach_segments_coach_c'`,
      );
      expect(role.memberships).toBe(0);
      expect(role.rolconfig).toEqual(expect.arrayContaining(["statement_timeout=30s", "default_transaction_read_only=on"]));
      expect((role.rolconfig as string[]).some((s) => s.startsWith("temp_file_limit"))).toBe(false);
    } finally {
      await c.close();
    }
  });

  it("without CREATEROLE: 503 saying what to do, then an operator-made role through COACH_SEGMENT_DATABASE_URL (and never the engine's own user)", async () => {
    // What the README asks of the operator before the first start (the earlier segment_reader migration needs it).
    await sql(superUrl("postgres"), "CREATE ROLE coach_plain LOGIN PASSWORD 'plain-pw'");
    await sql(superUrl("postgres"), "CREATE DATABASE coach_p OWNER coach_plain");
    await sql(superUrl("postgres"), "GRANT coach_segment_reader TO coach_plain WITH ADMIN OPTION");
    const engineUrl = url("coach_plain", "plain-pw", "coach_p");
    const plain = await startEngineOn(engineUrl);
    try {
      const refused = await plain.http.post("/v1/segments").set("Authorization", plain.author).send({ key: "p", name: "p", type: "sql", sql: "SELECT learner_id FROM events" });
      expect(refused.status).toBe(503);
      expect(refused.headers["retry-after"]).toBeDefined();
      expect(refused.body.detail).toMatch(/could not create one \(it needs CREATEROLE\).*COACH_SEGMENT_DATABASE_URL/);
      expect(await sql(superUrl("coach_p"), "SELECT count(*)::int AS n FROM coach_private.segment_sandbox_login")).toEqual([{ n: 0 }]);
    } finally {
      await plain.close();
    }

    // The operator: a login role of its own (as a superuser), its reads granted by the engine's user.
    await sql(superUrl("postgres"), "CREATE ROLE coach_p_segments LOGIN NOINHERIT CONNECTION LIMIT 10 PASSWORD 'segments-pw'");
    await sql(superUrl("postgres"), "ALTER ROLE coach_p_segments SET default_transaction_read_only = on");
    await sql(engineUrl, "SELECT coach_private.grant_segment_reads('coach_p_segments')");
    await expect(sql(engineUrl, "SELECT coach_private.grant_segment_reads('coach_plain')")).rejects.toThrow(/is not a role SQL segments may run as/);
    const operated = await startEngineOn(engineUrl, { COACH_SEGMENT_DATABASE_URL: url("coach_p_segments", "segments-pw", "coach_p") });
    try {
      expect((await segmentOf(operated, "in-p", ["p1", "p2", "p3"])).body).toMatchObject({ status: "ok", added: 3 });
    } finally {
      await operated.close();
    }

    // Pointed at the engine's own user by mistake: refused, not run with the engine's rights.
    const mistaken = await startEngineOn(engineUrl, { COACH_SEGMENT_DATABASE_URL: engineUrl });
    try {
      const res = await mistaken.http.post("/v1/segments").set("Authorization", mistaken.author).send({ key: "m", name: "m", type: "sql", sql: "SELECT learner_id FROM events" });
      expect(res.status).toBe(503);
      expect(res.body.detail).toMatch(/^SQL segments are disabled: their database role coach_plain (is a member of coach_segment_reader|may write or read more than the analyst relations)/);
    } finally {
      await mistaken.close();
    }
  });
});
