/**
 * `npm run chaos`: the fault suite. Each scenario runs real engine processes against a PostgreSQL cluster and a
 * redis-server of the suite's own, injects its fault, and checks that every acknowledged event was stored,
 * matched and delivered exactly once. Prints the table; exits 1 when any scenario lost or duplicated anything.
 *
 *   CHAOS_OUTAGE_SECONDS (20)  how long Redis / PostgreSQL stay down or frozen
 *   CHAOS_LOAD_SECONDS (8)     load before and after each fault
 *   CHAOS_SCENARIOS            comma list of scenario ids to run (default: all); see scripts/chaos/scenarios/index.ts
 */
import { SCENARIOS } from "./scenarios";
import { formatFailures, formatTable } from "./report";
import { passed, runScenarios } from "./run-scenarios";
import { missingTools } from "./services";

async function main(): Promise<void> {
  const missing = missingTools();
  if (missing.length) {
    console.error(`chaos: cannot run without ${missing.join(" and ")}`);
    process.exit(2);
  }
  const only = (process.env.CHAOS_SCENARIOS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
  const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
  const started = Date.now();
  const { results, logDir } = await runScenarios(
    scenarios,
    {
      outageSeconds: Number(process.env.CHAOS_OUTAGE_SECONDS ?? 20),
      loadSeconds: Number(process.env.CHAOS_LOAD_SECONDS ?? 8),
      batchSize: Number(process.env.CHAOS_BATCH_SIZE ?? 25),
      concurrency: Number(process.env.CHAOS_CONCURRENCY ?? 4),
      pauseMs: Number(process.env.CHAOS_PAUSE_MS ?? 50),
      drainSeconds: Number(process.env.CHAOS_DRAIN_SECONDS ?? 120),
    },
    (line) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`),
  );
  console.log(`\n${formatTable(results)}\n`);
  console.log(`${results.length} scenarios in ${Math.round((Date.now() - started) / 1000)} s; engine logs in ${logDir}`);
  const failures = formatFailures(results);
  if (failures) console.log(`\nFailed:\n${failures}`);
  process.exit(results.every(passed) ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
