/**
 * The embedded database (no DATABASE_URL): the same migrations give the same schema as on a PostgreSQL server;
 * the whole coaching loop runs on it through one connection; its data outlives a restart; and a second process
 * cannot open the same directory. The database runs in a child process (see setup/embedded.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import request from "supertest";
import { loadConfig } from "../../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../../src/engine";
import { createLogger } from "../../src/lib/logger";
import { buildApp } from "../../src/http/app";
import { createApiKey } from "../../src/auth/api-keys";
import { seedBuiltins } from "../../src/seed/seed-builtins";
import { startWorkers } from "../../workers";
import { daytimeTimeZone } from "../setup/daytime";
import { buildEvent } from "../factories/events";
import { openedxVideo } from "../factories/standards";
import { waitFor } from "../setup/wait-for";
import { copyMigratedEmbedded, startEmbedded } from "../setup/embedded";

const COLUMNS_SQL = `SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default
                       FROM information_schema.columns WHERE table_schema IN ('public', 'analytics')
                      ORDER BY 1, 2, 3`;

async function columns(url: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(COLUMNS_SQL)).rows;
  } finally {
    await client.end();
  }
}

/** Starts the engine as `npm start` does without DATABASE_URL, on `dataDir`. */
async function startEmbeddedEngine(dataDir: string) {
  const embedded = await startEmbedded(dataDir);
  const config = Object.freeze({
    ...loadConfig({ ...process.env, COACH_QUEUE_PREFIX: `coach-test-emb-${Date.now()}` }),
    databaseUrl: embedded.url,
    ...embedded.settings,
  });
  await prepareDatabase(config, createLogger("silent"));
  const ctx = await createEngine(config);
  return {
    ctx,
    embedded,
    async stop() {
      await ctx.queues.obliterateAll();
      await closeEngine(ctx);
      await embedded.stop();
    },
  };
}

describe("the embedded database", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "coach-embedded-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("runs the coaching loop through one connection, migrated to the same schema as a server, and keeps its data across a restart", async () => {
    const first = await startEmbeddedEngine(dataDir);
    try {
      expect(first.ctx.config.databasePoolSize).toBe(1);
      expect(await columns(first.embedded.url)).toEqual(await columns(process.env.DATABASE_URL!));

      await seedBuiltins(first.ctx);
      const ingest = (await createApiKey(first.ctx.prisma, { name: "player", role: "ingest" }, "test")).secret;
      const workers = await startWorkers(first.ctx);
      const http = request(buildApp(first.ctx));
      const posted = await http
        .post("/v1/events")
        .set("Authorization", `Bearer ${ingest}`)
        .send({ events: [buildEvent({ learnerId: "ada", courseId: "emb-101", type: "course.enrolled", learner: { name: "Ada Lovelace", timezone: daytimeTimeZone() } })] });
      expect(posted.body).toEqual({ accepted: 1, duplicates: 0 });
      const inbox = await waitFor(
        async () => (await http.get("/v1/learners/ada/messages").set("Authorization", `Bearer ${ingest}`)).body.messages as Array<{ id: string; title: string }>,
        (m) => m.length === 1,
      );
      expect(inbox[0].title).toBe("Welcome, Ada!"); // the built-in welcome nudge, personalized
      const vote = await http.post(`/v1/messages/${inbox[0].id}/feedback`).set("Authorization", `Bearer ${ingest}`).send({ learnerId: "ada", type: "helpful" });
      expect(vote.status).toBe(200);
      await workers.close();
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedEngine(dataDir);
    try {
      const message = await second.ctx.prisma.message.findFirstOrThrow({ where: { learnerId: "ada" } });
      expect(message).toMatchObject({ title: "Welcome, Ada!", vote: "helpful" });
      expect(await second.ctx.prisma.event.count()).toBe(1);
    } finally {
      await second.stop();
    }
  });

  // The socket server runs every connection in PGlite's one session: a statement named by a connection that
  // closed would still be there for the next to collide with ("prepared statement … already exists", 42P05).
  it("stores events and xAPI statements after its one connection is replaced (it names no statements)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "coach-embedded-reconnect-"));
    await copyMigratedEmbedded(dir);
    const engine = await startEmbeddedEngine(dir);
    try {
      expect(engine.ctx.config.databasePreparedStatements).toBe(false);
      const ingest = (await createApiKey(engine.ctx.prisma, { name: "player", role: "ingest" }, "test")).secret;
      const http = request(buildApp(engine.ctx));
      const post = (learnerId: string) =>
        Promise.all([
          http
            .post("/v1/events")
            .set("Authorization", `Bearer ${ingest}`)
            .send({ events: [buildEvent({ learnerId, courseId: "emb-101", type: "video.completed" })] }),
          http
            .post("/xapi/statements")
            .set("Authorization", `Basic ${Buffer.from(`${ingest}:`).toString("base64")}`)
            .set("X-Experience-API-Version", "1.0.3")
            .send(openedxVideo(learnerId, "course-v1:Emb+101+2026", "completed")),
        ]);
      for (const [i, learnerId] of ["before", "after"].entries()) {
        if (i > 0) {
          const client = await engine.ctx.database.pool.connect();
          client.release(true); // closed, not returned: the next query opens another connection
        }
        const [native, xapi] = await post(learnerId);
        expect([native.status, native.body]).toEqual([202, { accepted: 1, duplicates: 0 }]);
        expect(xapi.status).toBe(200);
      }
      expect(await engine.ctx.prisma.event.count()).toBe(4);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("cannot be opened by a second process while one has it, and takes over a lock its dead owner left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "coach-embedded-lock-"));
    try {
      await copyMigratedEmbedded(dir); // about its lock, not its creation (the test above creates one from nothing)
      const held = await startEmbedded(dir);
      await expect(startEmbedded(dir)).rejects.toThrow(/in use by process \d+; stop it, or set DATABASE_URL/);
      await held.stop();

      writeFileSync(join(dir, "pglite.lock"), "999999999"); // a pid no process has
      const reopened = await startEmbedded(dir);
      await reopened.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
