/**
 * `npm start`: migrate, seed, then run the API and/or the workers (COACH_PROCESS) in this process.
 * SIGINT/SIGTERM stop intake first, let in-flight requests and jobs finish, then close connections.
 */
import { loadConfig } from "./config";
import { closeEngine, createEngine, prepareDatabase } from "./engine";
import { createLogger } from "./lib/logger";
import { buildApp } from "./http/app";
import { closeServer, listen } from "./http/server";
import { seedBuiltins } from "./seed/seed-builtins";
import { startWorkers } from "../workers";
import { withDatabase } from "./db/embedded";

async function main(): Promise<void> {
  const configured = loadConfig();
  const log = createLogger(configured.logLevel);
  const { config, embedded } = await withDatabase(configured);
  if (embedded) log.info({ directory: embedded.directory }, "using the embedded database (set DATABASE_URL for a PostgreSQL server)");
  await prepareDatabase(config, log);
  const ctx = await createEngine(config, { log });
  await seedBuiltins(ctx);

  const stops: Array<() => Promise<void>> = [];
  if (config.processRole !== "worker") {
    const { server, port } = await listen(buildApp(ctx), config.port);
    log.info({ port }, `coaching engine API listening on http://127.0.0.1:${port}`);
    // Open streams would keep the server from closing: they end first (browsers reconnect and catch up).
    stops.push(async () => {
      await ctx.deliveryFeed.close();
      await closeServer(server);
    });
  }
  if (config.processRole !== "api") {
    const workers = await startWorkers(ctx);
    log.info({ workers: workers.names }, "workers started");
    stops.push(() => workers.close());
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: finishing in-flight requests and jobs");
    for (const stop of stops) await stop().catch((err) => log.error({ err }, "error while stopping"));
    await closeEngine(ctx).catch(() => undefined);
    await embedded?.stop().catch((err) => log.error({ err }, "error while closing the embedded database"));
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  // eslint-disable-next-line no-console
  console.error("coaching engine failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
