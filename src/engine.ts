/** Builds and tears down the engine context: database, queues, metrics, clock and secrets. */
import type { Config } from "./config";
import type { EngineContext } from "./context";
import { openDatabase } from "./db/client";
import { ensureDatabase, migrate } from "./db/migrator";
import { bootstrapAdminKey, loadTokenSigningKey } from "./auth/api-keys";
import { systemClock, type Clock } from "./lib/clock";
import { createLogger, type Logger } from "./lib/logger";
import { createMetrics } from "./lib/metrics";
import { JobQueues } from "./queue/job-queues";
import { DeliveryFeed } from "./learners/delivery-feed";

/** The database the configuration names; the embedded one must have been started (src/db/embedded.ts). */
function databaseUrlOf(config: Config): string {
  if (config.databaseUrl === null) throw new Error("DATABASE_URL is not set and the embedded database was not started (withDatabase, src/db/embedded.ts)");
  return config.databaseUrl;
}

/** Creates the database if needed and applies pending migrations. */
export async function prepareDatabase(config: Config, log: Logger): Promise<void> {
  const url = databaseUrlOf(config);
  if (await ensureDatabase(url)) log.info("created the database");
  const { applied } = await migrate(url);
  if (applied.length) log.info({ applied }, "applied migrations");
}

/** Opens every connection and loads secrets. The database must already be migrated. */
export async function createEngine(config: Config, options: { clock?: Clock; log?: Logger } = {}): Promise<EngineContext> {
  const log = options.log ?? createLogger(config.logLevel);
  const database = openDatabase(databaseUrlOf(config), { max: config.databasePoolSize, waitMs: config.databaseWaitMs });
  const queues = new JobQueues(config.redisUrl, config.queuePrefix);
  const metrics = createMetrics(() => queues.depths());
  await bootstrapAdminKey(database.prisma, config.adminKey, log);
  const tokenKey = await loadTokenSigningKey(database.prisma, config.tokenSecret);
  const deliveryFeed = new DeliveryFeed(config.redisUrl, queues.prefix);
  return { config, database, prisma: database.prisma, queues, deliveryFeed, clock: options.clock ?? systemClock, log, metrics, tokenKey };
}

/** Closes open streams, queues and the database. */
export async function closeEngine(ctx: EngineContext): Promise<void> {
  await ctx.deliveryFeed.close();
  await ctx.queues.close();
  await ctx.database.close();
}
