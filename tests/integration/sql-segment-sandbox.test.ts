/**
 * The SQL segment sandbox against issue 12's escapes, on a real PostgreSQL server whose engine user is a
 * superuser (as the README's example URL gives): each escape, sent as an author, is a refused segment (400
 * naming why) and changes nothing; ingest keeps answering while segment queries are slow; and the role the
 * queries run as holds on its own, with the checker out of the way.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import fc from "fast-check";
import type { QueryConfig } from "pg";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { REFUSAL_REASON, allowedSegmentSql, forbiddenSegmentSql } from "../factories/segment-sql";
import { refreshSegmentNow } from "../../src/segments/refresh-segment";

const TIMEOUT_MS = 1_500;

describe("the SQL segment sandbox", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;
  const create = (key: string, sql: string) => engine.http.post("/v1/segments").set("Authorization", author()).send({ key, name: key, type: "sql", sql });
  const refresh = (key: string) => engine.http.post(`/v1/segments/${key}/refresh`).set("Authorization", author());
  const ingestOnce = (learnerId = `ing-${randomUUID().slice(0, 8)}`) =>
    engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send(buildEvent({ learnerId, courseId: "sbx-101" }));
  /** `n` ingest requests, ten at a time; every status. */
  const ingest = async (n: number): Promise<number[]> => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += 10) statuses.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => ingestOnce()))).map((r) => r.status));
    return statuses;
  };
  const sandboxRole = async () => (await engine.ctx.database.pool.query<{ role_name: string }>(`SELECT role_name FROM coach_private.segment_sandbox_login`)).rows[0].role_name;

  beforeAll(async () => {
    engine = await startTestEngine({ env: { COACH_SEGMENT_TIMEOUT_MS: String(TIMEOUT_MS) } });
    expect((await ingestOnce("seed-1")).status).toBe(202);
  });
  afterAll(async () => engine.close());

  describe("every escape of issue 12 is a refused segment naming the reason, and changes nothing", () => {
    const marker = `/tmp/coach-escape-${randomUUID()}`;
    const escapes: Array<[string, string, RegExp]> = [
      [
        "the comment/string trick running COPY … TO PROGRAM (on creation, in the probe)",
        `select 'x' as learner_id -- '\n) AS q; COMMIT; RESET ROLE; COPY (select 1) TO PROGRAM 'id > ${marker}'; SELECT 1 FROM (SELECT 1 AS learner_id --'`,
        /^is 5 statements; segment SQL must be exactly one SELECT$/,
      ],
      [
        "the same trick turning the author key into an admin key",
        `select 'x' as learner_id -- '\n) AS q; COMMIT; RESET ROLE; UPDATE api_keys SET role = 'admin'; SELECT 1 FROM (SELECT 1 AS learner_id --'`,
        /^is 5 statements; segment SQL must be exactly one SELECT$/,
      ],
      [
        "set_config('role') + query_to_xml reading the learner-token secret, with no ';'",
        "select concat(set_config('role','postgres',true), query_to_xml('select key, value from settings', true, false, '')::text) as learner_id",
        /^calls set_config, which segment SQL may not use$/,
      ],
      [
        "query_to_xml reading every api_keys.secret_hash",
        "select query_to_xml('select secret_hash from api_keys', true, false, '')::text as learner_id",
        /^calls query_to_xml, which segment SQL may not use$/,
      ],
      ["table_to_xml", "select table_to_xml('settings', true, false, '')::text as learner_id", /^calls table_to_xml, which segment SQL may not use$/],
      ["a server file through pg_read_file", "select pg_read_file('/etc/passwd') as learner_id", /^calls pg_read_file, which segment SQL may not use$/],
      ["set_config('role', …, false) poisoning the session", "select set_config('role', 'postgres', false) as learner_id", /^calls set_config, which segment SQL may not use$/],
      [
        "set_config('default_transaction_read_only', 'on', false)",
        "select set_config('default_transaction_read_only', 'on', false) as learner_id",
        /^calls set_config, which segment SQL may not use$/,
      ],
      ["lo_create filling the disk", "select lo_create(0)::text as learner_id from generate_series(1, 100)", /^calls lo_create, which segment SQL may not use$/],
      [
        "lo_from_bytea filling the disk",
        "select lo_from_bytea(0, convert_to(repeat('x', 1048576), 'UTF8'))::text as learner_id",
        /^calls (lo_from_bytea|convert_to|repeat), which segment SQL may not use$/,
      ],
      ["pg_sleep holding a connection", "select 'a' as learner_id from pg_sleep(28)", /^calls pg_sleep, which segment SQL may not use$/],
      ["current_setting reading the session", "select current_setting('is_superuser') as learner_id", /^calls current_setting, which segment SQL may not use$/],
      ["api_keys directly", "select secret_hash as learner_id from api_keys", /^reads api_keys, which is not one of the analyst relations$/],
      ["the settings table", "select value as learner_id from public.settings", /^reads public\.settings, which is not one of the analyst relations$/],
      ["the catalog", "select rolname::text as learner_id from pg_catalog.pg_roles", /^reads pg_catalog\.pg_roles, which is not one of the analyst relations$/],
      ["the sandbox's own login", "select password as learner_id from coach_private.segment_sandbox_login", /^reads coach_private\.segment_sandbox_login, which is not one of the analyst relations$/],
    ];

    it.each(escapes)("%s", async (_name, sql, reason) => {
      const key = `esc-${randomUUID().slice(0, 8)}`;
      const res = await create(key, sql);
      expect(res.status).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual([{ path: "sql", message: expect.stringMatching(reason) }]);
      expect(await engine.ctx.prisma.segment.count({ where: { key } })).toBe(0);
      // Nothing ran: no file from the program, the author key is still an author key, no large object.
      expect(existsSync(marker)).toBe(false);
      expect((await engine.http.get("/v1/api-keys").set("Authorization", author())).status).toBe(403);
      expect((await engine.ctx.database.pool.query(`SELECT count(*)::int AS n FROM pg_largeobject_metadata`)).rows[0].n).toBe(0);
    });

    it("a segment stored before the checker existed is refused at refresh, recorded as its error, and never run", async () => {
      await engine.ctx.prisma.segment.create({ data: { key: "legacy", name: "legacy", type: "sql", sql: "select set_config('role', 'postgres', false) as learner_id" } });
      const res = await refresh("legacy");
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: "error", error: expect.stringContaining("calls set_config, which segment SQL may not use") });
      const stored = await engine.ctx.prisma.segment.findUniqueOrThrow({ where: { key: "legacy" } });
      expect(stored.lastRefreshError).toBe("calls set_config, which segment SQL may not use");
    });
  });

  it("after the set_config poisoning attempts are refused, 200 ingest requests all succeed", async () => {
    for (const sql of ["select set_config('role', 'postgres', false) as learner_id", "select set_config('default_transaction_read_only', 'on', false) as learner_id"]) {
      expect((await create(`poison-${randomUUID().slice(0, 6)}`, sql)).status).toBe(400);
    }
    const statuses = await ingest(200);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
  });

  it("24 concurrent refreshes of a pg_sleep segment are refused at once, and ingest answers 202 meanwhile", async () => {
    // Saved before the checker existed (it cannot be saved now): each refresh refuses it without running it.
    await engine.ctx.prisma.segment.create({ data: { key: "sleepy", name: "sleepy", type: "sql", sql: "select 'a' as learner_id from pg_sleep(28)" } });
    const refreshes = Promise.all(Array.from({ length: 24 }, () => refresh("sleepy")));
    const statuses = await ingest(50);
    const results = await refreshes;
    expect(results.map((r) => [r.status, r.body.status, r.body.error])).toEqual(Array.from({ length: 24 }, () => [200, "error", "The segment's SQL calls pg_sleep, which segment SQL may not use"]));
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    const created = await Promise.all(Array.from({ length: 24 }, (_, i) => create(`sleepy-${i}`, "select 'a' as learner_id from pg_sleep(28)")));
    expect(created.map((r) => r.status)).toEqual(Array.from({ length: 24 }, () => 400));
  });

  it("slow but allowed refreshes queue in the sandbox's own pool, hit the statement timeout, and never take ingest's connections", async () => {
    const heavy = "SELECT a::text AS learner_id FROM generate_series(1, 100000) a CROSS JOIN generate_series(1, 100000) b WHERE a + b < 0";
    expect((await create("heavy", heavy)).status).toBe(201);
    const role = await sandboxRole();
    let busiest = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        const { rows } = await engine.ctx.database.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND datname = current_database() AND state = 'active'`,
          [role],
        );
        busiest = Math.max(busiest, rows[0].n);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const refreshes = Promise.all(Array.from({ length: 8 }, () => refresh("heavy")));
    const statuses: number[] = [];
    let settled = false;
    void refreshes.finally(() => {
      settled = true;
    });
    while (!settled) statuses.push(...(await ingest(10)));
    const results = await refreshes;
    done = true;
    await sampler;
    expect(results.map((r) => [r.status, r.body.status, r.body.error])).toEqual(
      Array.from({ length: 8 }, () => [200, "error", `The segment's SQL ran longer than the ${TIMEOUT_MS / 1000} s statement timeout`]),
    );
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    expect(busiest).toBeGreaterThanOrEqual(1);
    expect(busiest).toBeLessThanOrEqual(engine.ctx.config.segments.poolSize);
  });

  it("generated SELECTs over the analyst relations are saved and refresh; generated statements of other kinds are refused with a reason", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(allowedSegmentSql, async (sql) => {
        const key = `gen-ok-${n++}`;
        const res = await create(key, sql);
        expect([res.status, res.body.errors]).toEqual([201, undefined]);
        expect(await refreshSegmentNow(engine.ctx, key)).toMatchObject({ status: "ok" });
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(forbiddenSegmentSql, async (sql) => {
        const res = await create(`gen-bad-${n++}`, sql);
        expect(res.status).toBe(400);
        expect(res.body.errors[0]).toEqual({ path: "sql", message: expect.stringMatching(REFUSAL_REASON) });
      }),
      { numRuns: 80 },
    );
    expect((await engine.ctx.database.pool.query(`SELECT count(*)::int AS n FROM pg_largeobject_metadata`)).rows[0].n).toBe(0);
  });

  describe("the role itself, with the checker bypassed", () => {
    const asSandbox = <T>(work: (q: (sql: string) => Promise<unknown[]>) => Promise<T>) =>
      // queryMode "extended" (missing from @types/pg): the protocol the author's statement always goes through.
      engine.ctx.database.segments.withClient((client) => work(async (sql) => (await client.query({ text: sql, queryMode: "extended" } as QueryConfig)).rows));
    const refusedWith = async (run: Promise<unknown>, codes: string[]) => {
      const error = await run.then(
        () => null,
        (e: { code?: string }) => e,
      );
      expect(error).not.toBeNull();
      expect(codes).toContain(error!.code);
    };

    it("is a LOGIN role of this database, member of no role, with its own limits", async () => {
      const role = await sandboxRole();
      expect(role).toBe(`coach_segments_coach_test_${process.env.COACH_TEST_RUN}`); // named after the run's template database
      const { rows } = await engine.ctx.database.pool.query(
        `SELECT r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolconnlimit, r.rolconfig,
                (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships
           FROM pg_roles r WHERE r.rolname = $1`,
        [role],
      );
      expect(rows[0]).toMatchObject({ rolcanlogin: true, rolsuper: false, rolinherit: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolconnlimit: 10, memberships: 0 });
      expect(rows[0].rolconfig).toEqual(expect.arrayContaining(["statement_timeout=30s", "work_mem=32MB", "default_transaction_read_only=on", "temp_file_limit=1GB"]));
      await asSandbox(async (q) => {
        expect(await q("SELECT current_user::text AS u, session_user::text AS s, current_setting('statement_timeout') AS t, current_setting('default_transaction_read_only') AS ro")).toEqual([
          { u: role, s: role, t: `${TIMEOUT_MS}ms`, ro: "on" },
        ]);
      });
    });

    it("cannot read api_keys, settings or its own login, SET ROLE back to the engine's user, write, run programs, read files or create large objects", async () => {
      const engineUser = (await engine.ctx.database.pool.query<{ u: string }>("SELECT current_user::text AS u")).rows[0].u;
      await asSandbox(async (q) => {
        await refusedWith(q("SELECT secret_hash FROM api_keys"), ["42501"]);
        await refusedWith(q("SELECT value FROM settings"), ["42501"]);
        await refusedWith(q("SELECT password FROM coach_private.segment_sandbox_login"), ["42501"]);
        await refusedWith(q("SELECT query_to_xml('select key, value from settings', true, false, '')"), ["42501"]);
        await refusedWith(q(`SET ROLE ${engineUser}`), ["42501"]);
        await refusedWith(q(`SELECT set_config('role', '${engineUser}', false)`), ["42501"]);
        await refusedWith(q(`SET SESSION AUTHORIZATION ${engineUser}`), ["42501"]);
        await refusedWith(q("UPDATE api_keys SET role = 'admin'"), ["25006", "42501"]);
        await q("SET default_transaction_read_only = off"); // even out of read-only mode:
        await refusedWith(q("UPDATE api_keys SET role = 'admin'"), ["42501"]);
        await refusedWith(q("INSERT INTO learners (id) VALUES ('intruder')"), ["42501"]);
        await refusedWith(q("COPY (SELECT 1) TO PROGRAM 'true'"), ["42501"]);
        await refusedWith(q("SELECT pg_read_file('/etc/hostname')"), ["42501"]);
        await refusedWith(q("SELECT lo_create(0)"), ["42501"]);
        await refusedWith(q("SELECT lo_from_bytea(0, 'x')"), ["42501"]);
        // What it may do: read the analyst relations.
        expect(await q("SELECT count(*)::int AS n FROM learners")).toEqual([{ n: expect.any(Number) }]);
      });
      expect((await engine.ctx.database.pool.query(`SELECT count(*)::int AS n FROM learners WHERE id = 'intruder'`)).rows[0].n).toBe(0);
    });

    it("cannot run two statements in one query: the extended protocol takes one", async () => {
      await asSandbox(async (q) => {
        await refusedWith(q("SELECT 1; SELECT 2"), ["42601"]);
      });
    });

    it("gets its session reset (DISCARD ALL) before a connection is reused", async () => {
      const first = await asSandbox(async (q) => {
        const [row] = (await q("SELECT pg_backend_pid() AS pid")) as Array<{ pid: number }>;
        await q("SET work_mem = '1MB'");
        await q("SELECT set_config('search_path', 'pg_catalog', false)");
        await q("SET default_transaction_read_only = off");
        await q("SELECT pg_advisory_lock(72017001)"); // the migrator's lock: held past the query, it would block every migration
        return row.pid;
      });
      const after = await asSandbox(async (q) =>
        q(
          `SELECT pg_backend_pid() AS pid, current_setting('work_mem') AS work_mem, current_setting('search_path') AS search_path,
                current_setting('default_transaction_read_only') AS ro, (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks`,
        ),
      );
      expect(after).toEqual([{ pid: first, work_mem: "32MB", search_path: "public", ro: "on", locks: 0 }]);
    });
  });
});
