/**
 * A fleet started at once on a fresh environment: every process races to create the database, migrate, store
 * the token-signing secret and bootstrap the admin key. All of them must come up, and exactly one may print
 * an admin key (two printed keys would be two admin secrets nobody asked for).
 */
import { Client } from "pg";
import { bootstrapAdminKey, loadTokenSigningKey } from "../../src/auth/api-keys";
import { openDatabase } from "../../src/db/client";
import { createLogger } from "../../src/lib/logger";
import { ADMIN_URL, templateDbName } from "../setup/databases";
import { deleteQueueKeys, engineEnv, killAllSpawned, scratchDatabase, spawnEngine, stopAll, uniquePrefix, type EngineProcess } from "../setup/engine-process";

jest.setTimeout(240_000);

const ADMIN_KEY_LINE = /Admin API key \(shown once/g;

describe("starting a fleet at once", () => {
  afterAll(() => killAllSpawned());

  it("brings up 4 processes (api, worker, all) started together on a database that does not exist yet, and prints exactly one admin key", async () => {
    const database = scratchDatabase("fleet");
    const prefix = uniquePrefix("fleet");
    const roles = ["api", "worker", "all", "api"] as const;
    const env = engineEnv({ DATABASE_URL: database.url, COACH_QUEUE_PREFIX: prefix, COACH_DB_POOL_SIZE: "3" });
    const fleet: EngineProcess[] = roles.map((role) => spawnEngine({ ...env, COACH_PROCESS: role }));
    try {
      await Promise.all(
        fleet.map(async (engine, i) => {
          if (roles[i] === "worker") {
            await engine.waitForOutput(/"msg":"workers started"/, 120_000);
            return;
          }
          const port = await engine.port(120_000);
          const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
          expect(ready.status).toBe(200);
          if (roles[i] === "all") await engine.waitForOutput(/"msg":"workers started"/, 120_000);
        }),
      );
      const printed = fleet.map((engine) => engine.output().match(ADMIN_KEY_LINE)?.length ?? 0);
      expect(printed.reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      await stopAll(fleet);
      await database.drop();
      await deleteQueueKeys(prefix);
    }
  });

  it("creates one admin key and one token secret when 8 connections bootstrap a fresh database at the same moment", async () => {
    const database = scratchDatabase("bootstrap");
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database.name}" TEMPLATE "${templateDbName()}"`).finally(() => admin.end());
    const handles = Array.from({ length: 8 }, () => openDatabase(database.url, { max: 2 }));
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      // Connected first, so the calls below meet in the database rather than in connection set-up.
      await Promise.all(handles.map((h) => h.pool.query("SELECT 1")));
      const log = createLogger("silent");
      const results = await Promise.allSettled(handles.map((h) => bootstrapAdminKey(h.prisma, undefined, log)));
      const secrets = await Promise.allSettled(handles.map((h) => loadTokenSigningKey(h.prisma, undefined)));
      write.mockRestore();
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(printed.filter((line) => /Admin API key/.test(line))).toHaveLength(1);
      expect(await handles[0].prisma.apiKey.count({ where: { role: "admin" } })).toBe(1);
      expect(secrets.filter((r) => r.status === "rejected")).toEqual([]);
      expect(new Set(secrets.map((r) => (r as PromiseFulfilledResult<string>).value)).size).toBe(1);
    } finally {
      write.mockRestore();
      await Promise.all(handles.map((h) => h.close()));
      await database.drop();
    }
  });
});
