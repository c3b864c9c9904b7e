/**
 * SQL segments on the embedded database (no DATABASE_URL): one session shared with the engine, so no login
 * role of their own; the parser allow-list is the guard, and the query still runs READ ONLY as
 * coach_segment_reader. Segments work there, and issue 12's escapes are refused just as on a server.
 * The database runs in a child process, from a copy of a migrated one (see setup/embedded.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { loadConfig } from "../../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../../src/engine";
import type { EngineContext } from "../../src/context";
import { createLogger } from "../../src/lib/logger";
import { buildApp } from "../../src/http/app";
import { createApiKey } from "../../src/auth/api-keys";
import { buildEvent } from "../factories/events";
import { copyMigratedEmbedded, startEmbedded, type StartedEmbedded } from "../setup/embedded";

describe("SQL segments on the embedded database", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "coach-embedded-sql-"));
  let embedded: StartedEmbedded;
  let ctx: EngineContext;
  let http: ReturnType<typeof request>;
  let author: string;

  beforeAll(async () => {
    await copyMigratedEmbedded(dataDir); // migrated already: this file is about segments, not a first migration
    embedded = await startEmbedded(dataDir);
    const config = Object.freeze({
      ...loadConfig({ ...process.env, COACH_QUEUE_PREFIX: `coach-test-emb-sql-${Date.now()}` }),
      databaseUrl: embedded.url,
      ...embedded.settings,
    });
    await prepareDatabase(config, createLogger("silent"));
    ctx = await createEngine(config, { log: createLogger("silent") });
    http = request(buildApp(ctx));
    author = `Bearer ${(await createApiKey(ctx.prisma, { name: "author", role: "author" }, "test")).secret}`;
    const ingest = `Bearer ${(await createApiKey(ctx.prisma, { name: "ingest", role: "ingest" }, "test")).secret}`;
    const events = ["e1", "e2"].map((learnerId) => buildEvent({ learnerId, courseId: "emb-101" }));
    expect((await http.post("/v1/events").set("Authorization", ingest).send({ events })).status).toBe(202);
  });
  afterAll(async () => {
    await ctx?.queues.obliterateAll();
    if (ctx) await closeEngine(ctx);
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs on the engine's one session (no second login exists there)", async () => {
    expect(await ctx.database.segments.mode()).toBe("session");
  });

  it("saves, probes and refreshes a SQL segment", async () => {
    const created = await http.post("/v1/segments").set("Authorization", author).send({ key: "emb", name: "emb", type: "sql", sql: "SELECT learner_id FROM events WHERE course_id = 'emb-101'" });
    expect(created.status).toBe(201);
    const refreshed = await http.post("/v1/segments/emb/refresh").set("Authorization", author);
    expect(refreshed.body).toMatchObject({ status: "ok", added: 2, memberCount: 2 });
  });

  it.each([
    [
      "the comment/string multi-statement trick",
      "select 'x' as learner_id -- '\n) AS q; COMMIT; RESET ROLE; UPDATE api_keys SET role = 'admin'; SELECT 1 FROM (SELECT 1 AS learner_id --'",
      "is 5 statements; segment SQL must be exactly one SELECT",
    ],
    [
      "set_config + query_to_xml",
      "select concat(set_config('role','postgres',true), query_to_xml('select key, value from settings', true, false, '')::text) as learner_id",
      "calls set_config, which segment SQL may not use",
    ],
    ["lo_from_bytea", "select lo_from_bytea(0, 'x')::text as learner_id", "calls lo_from_bytea, which segment SQL may not use"],
    ["a hidden table", "select secret_hash as learner_id from api_keys", "reads api_keys, which is not one of the analyst relations"],
  ])("refuses %s with the reason, as on a server", async (_name, sql, reason) => {
    const res = await http.post("/v1/segments").set("Authorization", author).send({ key: "bad", name: "bad", type: "sql", sql });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: "sql", message: reason }]);
    expect((await http.get("/v1/api-keys").set("Authorization", author)).status).toBe(403);
  });

  it("names a missing learner_id without quoting the database", async () => {
    const res = await http.post("/v1/segments").set("Authorization", author).send({ key: "noid", name: "noid", type: "sql", sql: "SELECT id FROM learners" });
    expect(res.body.errors).toEqual([{ path: "sql", message: "must return a column named learner_id" }]);
  });
});
