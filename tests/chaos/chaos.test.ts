/**
 * The fault suite's short version (`npm run chaos` is the full one): the same scenarios, the same invariants —
 * every acknowledged event stored, matched and delivered exactly once, and each scenario's own checks — with
 * 3 s outages and short load phases, on a PostgreSQL cluster and a redis-server of the test's own. Skipped, with
 * the reason printed, only where redis-server or PostgreSQL's initdb is missing.
 *
 * By default it runs the three outages of what the engine depends on (Redis killed empty, Redis frozen,
 * PostgreSQL stopped), with the engine processes left running, which no other test shows with a ledger across
 * real processes. The others have a test of their own in `npm test`, so here they would only double its time:
 * the fleet start (tests/integration/fleet-start.test.ts), SIGTERM under keep-alive load
 * (graceful-shutdown.test.ts), a poison event in a chunk of 500 (poison.test.ts), a rule disabled through a
 * process whose clock is behind (cross-process-invalidation.test.ts). The two scenarios that SIGKILL a worker
 * wait for BullMQ's stalled-job check (lock 30 s, then two checks 30 s apart). `npm run chaos` runs all nine,
 * and so does CHAOS_SCENARIOS=all here (or a comma list of ids).
 */
import { Bench, type ChaosOptions, type ScenarioResult } from "../../scripts/chaos/bench";
import { formatFailures, formatTable } from "../../scripts/chaos/report";
import { passed } from "../../scripts/chaos/run-scenarios";
import { SCENARIOS } from "../../scripts/chaos/scenarios";
import { missingTools, startPostgres, startRedis } from "../../scripts/chaos/services";
import type { PrivatePostgres, PrivateRedis } from "../../scripts/support/private-services";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeUnlessMissing } from "../setup/describe-when";

jest.setTimeout(240_000);

const SHORT: ChaosOptions = { outageSeconds: 3, loadSeconds: 3, batchSize: 10, concurrency: 3, pauseMs: 50, drainSeconds: 120 };
const DEFAULT_IDS = ["redis-kill", "redis-freeze", "postgres-stop"];
const chosen = process.env.CHAOS_SCENARIOS === "all" ? SCENARIOS.map((s) => s.id) : (process.env.CHAOS_SCENARIOS?.split(",").map((s) => s.trim()) ?? DEFAULT_IDS);

const missing = missingTools();
const describeWithTools = describeUnlessMissing(missing.length ? `${missing.join(" and ")} not installed` : null);

describeWithTools("the fault suite, short (real processes, private PostgreSQL and Redis)", () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let bench: Bench;
  const results: ScenarioResult[] = [];

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    bench = new Bench(pg, redis, SHORT, mkdtempSync(join(tmpdir(), "coach-chaos-test-")), () => undefined);
  });
  afterEach(async () => {
    await bench?.cleanup();
  });
  afterAll(async () => {
    await redis?.stop();
    pg?.destroy();
    if (results.length) console.log(`${formatTable(results)}\nengine logs in ${bench.logDir}`);
  });

  it.each(SCENARIOS.filter((s) => chosen.includes(s.id)).map((s) => [s.title, s] as const))("%s: 0 lost, 0 duplicated, its own checks pass", async (_title, scenario) => {
    const started = Date.now();
    const result: ScenarioResult = { name: scenario.title, ...(await scenario.run(bench)), durationMs: Date.now() - started };
    results.push(result);
    if (!passed(result)) throw new Error(`${formatFailures([result])}\n${formatTable([result])}\nengine logs in ${bench.logDir}`);
    expect(result.tally.lost).toBe(0);
    expect(result.tally.duplicated).toBe(0);
    expect(result.tally.acknowledged).toBeGreaterThan(0);
  });
});
