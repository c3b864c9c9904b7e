/**
 * Runs scenarios one after the other on one private PostgreSQL and Redis, and returns a row per scenario. A
 * scenario that throws is a failed row (with its error), never the end of the run.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bench, type ChaosOptions, type Scenario, type ScenarioResult } from "./bench";
import { startPostgres, startRedis } from "./services";

/** Whether a row keeps every promise: 0 lost, 0 duplicated, every scenario check passed, no error. */
export function passed(result: ScenarioResult): boolean {
  return !result.error && result.tally.lost === 0 && result.tally.duplicated === 0 && result.checks.every((c) => c.ok);
}

/** Starts the services, runs `scenarios`, stops everything; `log` gets progress lines. */
export async function runScenarios(scenarios: Scenario[], options: ChaosOptions, log: (line: string) => void): Promise<{ results: ScenarioResult[]; logDir: string }> {
  const logDir = mkdtempSync(join(tmpdir(), "coach-chaos-logs-"));
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  log(`private PostgreSQL on port ${pg.port}, redis-server on port ${redis.port}; engine logs in ${logDir}`);
  const bench = new Bench(pg, redis, options, logDir, log);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      const started = Date.now();
      log(`▶ ${scenario.title}`);
      let result: ScenarioResult;
      try {
        result = { name: scenario.title, ...(await scenario.run(bench)), durationMs: Date.now() - started };
      } catch (error) {
        const empty = { sent: 0, acknowledged: 0, stored: 0, matched: 0, delivered: 0, lost: 0, duplicated: 0, notStored: 0, unmatched: 0, undelivered: 0, scheduled: 0, isolated: 0 };
        result = { name: scenario.title, tally: empty, status5xx: 0, recoverMs: null, checks: [], durationMs: Date.now() - started, error: (error as Error).stack ?? String(error) };
      } finally {
        await bench.cleanup();
      }
      results.push(result);
      log(`${passed(result) ? "✔" : "✘"} ${scenario.title} (${Math.round(result.durationMs / 1000)} s)${result.error ? `: ${result.error}` : ""}`);
    }
  } finally {
    await redis.stop();
    pg.destroy();
  }
  return { results, logDir };
}
