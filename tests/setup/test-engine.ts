/**
 * A real engine for a test file: this worker's PostgreSQL database (emptied), a fresh BullMQ prefix
 * on the real Redis, an API key per role, a supertest agent, and optionally the real workers.
 */
import { randomUUID } from "node:crypto";
import request from "supertest";
import type { Express } from "express";
import { loadConfig, type Config } from "../../src/config";
import { closeEngine, createEngine } from "../../src/engine";
import type { EngineContext } from "../../src/context";
import { buildApp } from "../../src/http/app";
import { createApiKey } from "../../src/auth/api-keys";
import type { Role } from "../../src/auth/principal";
import type { Clock } from "../../src/lib/clock";
import type { Logger } from "../../src/lib/logger";
import { startWorkers, type RunningWorkers } from "../../workers";
import { emptyTables } from "../../src/db/empty-tables";

export interface TestEngine {
  ctx: EngineContext;
  app: Express;
  http: ReturnType<typeof request>;
  keys: Record<Role, string>;
  workers: RunningWorkers | null;
  startWorkers(): Promise<RunningWorkers>;
  close(): Promise<void>;
}

/** Empties every table but the migrations record. */
export async function resetDatabase(ctx: EngineContext): Promise<void> {
  await emptyTables(ctx.database.pool);
}

/** Starts an engine on this worker's database with a unique queue prefix. */
export async function startTestEngine(options: { clock?: Clock; env?: Record<string, string>; workers?: boolean; keepData?: boolean; log?: Logger } = {}): Promise<TestEngine> {
  const config: Config = loadConfig({ ...process.env, COACH_QUEUE_PREFIX: `coach-test-${randomUUID().slice(0, 8)}`, ...options.env });
  const ctx = await createEngine(config, { clock: options.clock, log: options.log });
  if (!options.keepData) await resetDatabase(ctx);
  const keys = {} as Record<Role, string>;
  for (const role of ["ingest", "author", "analyst", "admin"] as Role[]) keys[role] = (await createApiKey(ctx.prisma, { name: `test ${role}`, role }, "test")).secret;
  const app = buildApp(ctx);
  const engine: TestEngine = {
    ctx,
    app,
    http: request(app),
    keys,
    workers: null,
    async startWorkers() {
      engine.workers = await startWorkers(ctx);
      return engine.workers;
    },
    async close() {
      await engine.workers?.close();
      await ctx.queues.obliterateAll();
      await closeEngine(ctx);
    },
  };
  if (options.workers) await engine.startWorkers();
  return engine;
}
