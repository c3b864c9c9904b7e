/**
 * (3) PostgreSQL stopped mid-load for CHAOS_OUTAGE_SECONDS, then started again; the engine is not restarted.
 * Ingest must answer 503 with Retry-After while it is down (never hang, never 2xx for what it could not store),
 * and recover by itself: every acknowledged event matched and delivered.
 */
import { hold, type Scenario } from "../bench";

export const postgresStopped: Scenario = {
  id: "postgres-stop",
  title: "3 PostgreSQL stopped, restarted",
  async run(bench) {
    const { url, prefix } = bench.fresh("pg");
    const engine = bench.spawn({ name: "pg-all", role: "all", databaseUrl: url, prefix, adminKey: bench.adminKey });
    const target = await engine.url();
    await engine.ready();
    await bench.prepareContent(target);
    const db = bench.pool(url);
    // A request that takes 10 s has hung, as far as a course player's backend is concerned.
    const load = bench.load({ idPrefix: `pg-${bench.runId}`, targets: () => [target], requestTimeoutMs: 10_000 });
    load.start();
    await hold(bench.options.loadSeconds * 500);
    const before503 = load.stats.statuses["503"] ?? 0;
    await bench.pg.stop("fast");
    await hold(bench.options.outageSeconds * 1_000);
    const during503 = (load.stats.statuses["503"] ?? 0) - before503;
    await bench.pg.start();
    const recoverMs = await bench.afterFault(db, load);
    const checks = [
      { label: `503 while down ${during503}`, ok: during503 > 0 },
      { label: `503 without Retry-After ${load.stats.missingRetryAfter}`, ok: load.stats.missingRetryAfter === 0 },
      { label: `hung ${load.stats.hung}`, ok: load.stats.hung === 0 },
      { label: `max latency ${(load.stats.maxLatencyMs / 1000).toFixed(1)} s`, ok: load.stats.maxLatencyMs < 10_000 },
      { label: "engine up", ok: engine.running() },
    ];
    return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs, checks };
  },
};
