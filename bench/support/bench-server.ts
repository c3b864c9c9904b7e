/** A server for the ingest benchmark, in its own process: the engine's API (no workers) or a bare JSON endpoint. */
import express from "express";
import { loadConfig } from "../../src/config";
import { createEngine, prepareDatabase } from "../../src/engine";
import { createLogger } from "../../src/lib/logger";
import { buildApp } from "../../src/http/app";
import { listen } from "../../src/http/server";
import { createApiKey } from "../../src/auth/api-keys";

// Exit on SIGTERM (the benchmark's kill) through process.exit, so a --cpu-prof profile gets written; the engine
// first deletes its throwaway queues (the matching jobs nobody consumes here).
let cleanUp: () => Promise<void> = async () => undefined;
process.on("SIGTERM", () => void cleanUp().finally(() => process.exit(0)));

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind === "bare") {
    const app = express();
    app.use(express.json({ limit: "1mb" }));
    app.post("/v1/events", (req, res) => {
      const n = Array.isArray(req.body?.events) ? req.body.events.length : 1;
      res.status(202).json({ accepted: n, duplicates: 0 });
    });
    const { port } = await listen(app, 0);
    process.send?.({ port, secret: "none" });
    return;
  }
  const config = loadConfig({ ...process.env, COACH_QUEUE_PREFIX: `bench-ingest-${process.pid}` });
  await prepareDatabase(config, createLogger("silent"));
  const ctx = await createEngine(config);
  cleanUp = () => ctx.queues.obliterateAll();
  await ctx.database.pool.query("TRUNCATE events, learners, learner_course_state");
  const secret = (await createApiKey(ctx.prisma, { name: "bench", role: "ingest" }, "bench")).secret;
  const { port } = await listen(buildApp(ctx), 0);
  process.send?.({ port, secret });
}

void main();
