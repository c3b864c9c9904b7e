/** Builds and tears down the engine context: database, queues, metrics, clock and secrets. */
import type { Config } from "./config";
import type { EngineContext } from "./context";
import { openDatabase } from "./db/client";
import { ContentCache } from "./db/content-cache";
import { ContentRevisions } from "./db/content-revisions";
import { ensureDatabase, migrate } from "./db/migrator";
import { checkPoolBudget } from "./db/pool-budget";
import { bootstrapAdminKey, loadTokenSigningKey } from "./auth/api-keys";
import { systemClock, type Clock } from "./lib/clock";
import { createLogger, type Logger } from "./lib/logger";
import { createMetrics } from "./lib/metrics";
import { JobQueues } from "./queue/job-queues";
import { loadEngineIdentity } from "./db/engine-identity";
import { countFailuresByKind } from "./maintenance/failures";
import { DeliveryFeed } from "./learners/delivery-feed";

/** The database the configuration names; the embedded one must have been started (src/db/embedded.ts). */
function databaseUrlOf(config: Config): string {
  if (config.databaseUrl === null) throw new Error("DATABASE_URL is not set and the embedded database was not started (withDatabase, src/db/embedded.ts)");
  return config.databaseUrl;
}

/** Creates the database if needed, applies pending migrations, and checks this process's pool fits the server. */
export async function prepareDatabase(config: Config, log: Logger): Promise<void> {
  const url = databaseUrlOf(config);
  if (await ensureDatabase(url)) log.info("created the database");
  const { applied } = await migrate(url);
  if (applied.length) log.info({ applied }, "applied migrations");
  // A warning, not a failure: the pool may not fit in what the server has left (src/db/pool-budget.ts).
  await checkPoolBudget(url, { poolSize: config.databasePoolSize, segmentPoolSize: config.segments.poolSize }, log);
}

/** Opens every connection and loads secrets. The database must already be migrated. */
export async function createEngine(config: Config, options: { clock?: Clock; log?: Logger } = {}): Promise<EngineContext> {
  const log = options.log ?? createLogger(config.logLevel);
  const database = openDatabase(databaseUrlOf(config), {
    max: config.databasePoolSize,
    waitMs: config.databaseWaitMs,
    preparedStatements: config.databasePreparedStatements,
    segments: { url: config.segments.databaseUrl, poolSize: config.segments.poolSize, timeoutMs: config.segments.timeoutMs },
  });
  const queues = new JobQueues(config, config.queuePrefix, { attempts: config.jobAttempts });
  try {
    // One engine per queue prefix: a process of another database's engine refuses to start (src/queue/prefix-owner.ts).
    await queues.claimPrefix(await loadEngineIdentity(database.pool), log);
  } catch (error) {
    await queues.close();
    await database.close();
    throw error;
  }
  const metrics = createMetrics(
    () => queues.depths(),
    () => countFailuresByKind(database.pool),
  );
  await bootstrapAdminKey(database.prisma, config.adminKey, log);
  const tokenKey = await loadTokenSigningKey(database.prisma, config.tokenSecret);
  const deliveryFeed = new DeliveryFeed(config, queues.prefix);
  const clock = options.clock ?? systemClock;
  // Stale-while-revalidate on the wall clock only: on a hand-set clock (tests, the simulator) every expired
  // entry waits for its reload, so a decision never depends on how fast a background query ran.
  const cache = new ContentCache(new ContentRevisions(database.pool), clock, {
    serveStale: options.clock === undefined,
    onRefreshError: (error, area) => log.warn({ err: error, area }, "a cache refresh in the background failed; the old value stays"),
  });
  return { config, database, prisma: database.prisma, queues, deliveryFeed, clock, cache, log, metrics, tokenKey };
}

/** Closes open streams, queues and the database. */
export async function closeEngine(ctx: EngineContext): Promise<void> {
  await ctx.deliveryFeed.close();
  await ctx.cache.idle(); // background refreshes finish on the open pool
  await ctx.queues.close();
  await ctx.database.close();
}
