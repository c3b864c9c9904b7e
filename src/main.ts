/**
 * `npm start`: migrate, seed, then run the API and/or the workers (COACH_PROCESS) in this process.
 * SIGINT/SIGTERM stop intake first, let in-flight requests and jobs finish, then close connections, all within
 * COACH_SHUTDOWN_TIMEOUT_MS. With REDIS_URL unset and no Redis at the default address, a private redis-server
 * runs beside the engine (src/queue/private-redis.ts) and stops with it.
 */
import { loadConfig } from "./config";
import { closeEngine, createEngine, prepareDatabase } from "./engine";
import { createLogger } from "./lib/logger";
import { buildApp } from "./http/app";
import { closeServer, listen } from "./http/server";
import { seedBuiltins } from "./seed/seed-builtins";
import { startWorkers } from "../workers";
import { withDatabase } from "./db/embedded";
import { trackRequests } from "./http/drain";
import { withRedis } from "./queue/private-redis";

async function main(): Promise<void> {
  const configured = loadConfig();
  const log = createLogger(configured.logLevel);
  // Signals are heard from the first moment: one that arrives while the engine starts stops it once it is up,
  // against the same deadline (left unhandled, it would kill the process with its private services half-used).
  let requested: { signal: string; deadline: number } | null = null;
  let shutdown: ((signal: string, deadline: number) => Promise<void>) | null = null;
  const onSignal = (signal: string) => {
    if (requested) return; // npm forwards the terminal's Ctrl-C too: one signal, two deliveries
    requested = { signal, deadline: Date.now() + configured.shutdownTimeoutMs };
    // Whatever hangs, the process is gone by the deadline (a supervisor's SIGKILL would come next).
    setTimeout(() => {
      log.error({ timeoutMs: configured.shutdownTimeoutMs }, "shutdown took longer than COACH_SHUTDOWN_TIMEOUT_MS: exiting now");
      process.exit(1);
    }, configured.shutdownTimeoutMs).unref();
    if (shutdown) void shutdown(signal, requested.deadline);
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  // Redis first: a missing redis-server is a one-line answer before anything else has started.
  const { config: redisReady, redis } = await withRedis(configured, log);
  const { config, embedded } = await withDatabase(redisReady);
  if (embedded) log.info({ directory: embedded.directory }, "using the embedded database (set DATABASE_URL for a PostgreSQL server)");
  await prepareDatabase(config, log);
  const ctx = await createEngine(config, { log });
  await seedBuiltins(ctx);

  // Each stop gets the time it may take; all run at once (requests drain while workers finish their jobs).
  const stops: Array<(timeoutMs: number) => Promise<void>> = [];
  if (config.processRole !== "worker") {
    const { server, port } = await listen(buildApp(ctx), config.port, { limits: config.http, log });
    trackRequests(server);
    log.info({ port }, `coaching engine API listening on http://127.0.0.1:${port}`);
    // Open streams would keep the server from closing: they end first (browsers reconnect and catch up).
    stops.push(async (timeoutMs) => {
      await ctx.deliveryFeed.close();
      await closeServer(server, timeoutMs);
    });
  }
  if (config.processRole !== "api") {
    const workers = await startWorkers(ctx);
    log.info({ workers: workers.names }, "workers started");
    stops.push((timeoutMs) => workers.close(timeoutMs));
  }

  shutdown = async (signal: string, deadline: number) => {
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, "shutting down: finishing in-flight requests and jobs");
    // Requests and jobs get most of the time; closing connections and the private services the rest.
    const drainMs = Math.max(0, deadline - Date.now() - Math.min(2_000, Math.floor(config.shutdownTimeoutMs / 5)));
    await Promise.all(stops.map((stop) => stop(drainMs).catch((err) => log.error({ err }, "error while stopping"))));
    await closeEngine(ctx).catch(() => undefined);
    await embedded?.stop().catch((err) => log.error({ err }, "error while closing the embedded database"));
    await redis?.stop().catch((err) => log.error({ err }, "error while stopping the private Redis"));
    log.info("stopped");
    process.exit(0);
  };
  // TypeScript cannot see that a signal handler may have set it meanwhile.
  const early = requested as { signal: string; deadline: number } | null;
  if (early) void shutdown(early.signal, early.deadline);
}

main().catch((error) => {
  // eslint-disable-next-line no-console
  console.error("coaching engine failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
