/**
 * `npm run security-report`: replays every scenario of issue 12 ("What was seen", items 1–7) against a real
 * engine (src/main.ts in a process of its own, API and workers, on a database of its own; item 5 on a private
 * PostgreSQL cluster it crashes) and prints the README's table: per scenario the hostile requests tried, those
 * refused as the contract says, unexpected 5xx, what else was checked, and the engine's largest event-loop
 * delay meanwhile; then the delay p99 and max while the worst inputs were sent. Exits 1 when anything did not
 * hold. Takes a few minutes; nothing of the shared PostgreSQL or Redis is touched but its own database and keys.
 *
 * SECURITY_REPORT_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server;
 * SECURITY_REPORT_FUZZ_CASES (default 5000) the fuzzed requests of item 4.
 */
import { cpus, loadavg } from "node:os";
import { deleteQueueKeys } from "../tests/setup/engine-process";
import type { LoopDelay } from "./security-report/loop-delay-probe";
import { dropDatabase, startReportEngine, type ReportEngine } from "./security-report/report-engine";
import type { ReportRow } from "./security-report/report-row";
import { sqlSandboxScenarios } from "./security-report/sql-sandbox.scenario";
import { groupCommitScenario } from "./security-report/group-commit.scenario";
import { boundedWorkScenario, prepareBoundedWork } from "./security-report/bounded-work.scenario";
import { fuzzedBadInput, targetedBadInput } from "./security-report/bad-input.scenario";
import { crashRecoveryScenario } from "./security-report/crash-recovery.scenario";
import { rawOutputScenario } from "./security-report/raw-output.scenario";
import { guessingScenario, keyCacheScenario, roleBeforeBodyScenario, segmentErrorScenario, slowSocketsScenario } from "./security-report/authentication.scenario";

const ADMIN_URL = process.env.SECURITY_REPORT_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DATABASE = "coach_security_report";
const FUZZ_CASES = Number(process.env.SECURITY_REPORT_FUZZ_CASES ?? 5_000);
const HEADERS_TIMEOUT_MS = 5_000;

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `scenario` with the engine's loop delay measured; each row gets the scenario's largest delay. */
async function measured(engine: ReportEngine, label: string, scenario: () => Promise<ReportRow[]>): Promise<ReportRow[]> {
  process.stderr.write(`security report: ${label}…\n`);
  await engine.resetDelay("scenario");
  const rows = await scenario();
  const { scenario: delay } = await engine.delay();
  for (const row of rows) row.loopMaxMs ??= delay.max;
  return rows;
}

function table(rows: ReportRow[]): string {
  const cell = (text: string | number) => String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    "| # | scenario | tried | refused | 5xx | loop max ms | checked |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.item} | ${cell(r.scenario)} | ${r.tried.toLocaleString("en")} | ${r.refused.toLocaleString("en")} | ${r.fiveXX} | ${r.loopMaxMs ?? "—"} | ${r.held ? "" : "**FAILED** "}${cell(r.check)} |`,
    ),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const rows: ReportRow[] = [];
  let worst: LoopDelay | null = null;
  let overall: LoopDelay | null = null;
  await dropDatabase(ADMIN_URL, DATABASE);
  const engine = await startReportEngine(databaseUrl(DATABASE), { COACH_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), COACH_SEGMENT_TIMEOUT_MS: "2000" });
  try {
    await prepareBoundedWork(engine);
    await engine.resetDelay("overall"); // the replay's, not the start's (migrations, seeding)
    rows.push(...(await measured(engine, "item 1, the SQL sandbox", () => sqlSandboxScenarios(engine))));
    rows.push(...(await measured(engine, "item 2, the group commit", () => groupCommitScenario(engine))));
    await engine.resetDelay("worst");
    rows.push(
      ...(await measured(engine, "item 3, the worst inputs", async () => {
        const groups: Array<[string, string]> = [
          ["template", "Templates: 3,000 nested subexpressions (15 KB), 1,500 nested blocks, 1,400-link else-if chain, 9,000 arguments, 6,000-segment path, 20,000 translations …"],
          ["preview", "Previews: 3,000-deep source and stored version, loops over 1,000 items, 20,000-value context …"],
          ["rule", "Rule conditions: 55 and 1,000 nested `not`, `all` of 10,000, 200 × 200 lists, `in` of 100,000 …"],
          ["segment", "Segment conditions: 55 nested `not`, `all` of 10,000 …"],
        ];
        const out: ReportRow[] = [];
        for (const [group, label] of groups) {
          await engine.resetDelay("group");
          const row = await boundedWorkScenario(engine, group, label);
          row.loopMaxMs = (await engine.delay()).group.max;
          out.push(row);
        }
        return out;
      })),
    );
    worst = (await engine.delay()).worst;
    rows.push(...(await measured(engine, "item 4, targeted bad input", () => targetedBadInput(engine))));
    rows.push(...(await measured(engine, "item 6, raw output", () => rawOutputScenario(engine))));
    rows.push(...(await measured(engine, `item 4, ${FUZZ_CASES} fuzzed requests`, () => fuzzedBadInput(engine, FUZZ_CASES))));
    rows.push(...(await measured(engine, "item 7, authorization before the body", async () => [await roleBeforeBodyScenario(engine)])));
    rows.push(...(await measured(engine, "item 7, segment errors", async () => [await segmentErrorScenario(engine)])));
    rows.push(...(await measured(engine, "item 7, guessing keys", async () => [await guessingScenario(engine)])));
    rows.push(...(await measured(engine, "item 7, the unknown-key cache", async () => [await keyCacheScenario(engine)])));
    rows.push(...(await measured(engine, "item 7, slow sockets", async () => [await slowSocketsScenario(engine, HEADERS_TIMEOUT_MS)])));
    overall = (await engine.delay()).overall;
  } finally {
    await engine.stop();
    await deleteQueueKeys(engine.queuePrefix).catch(() => undefined);
    await dropDatabase(ADMIN_URL, DATABASE);
  }
  process.stderr.write("security report: item 5, crash recovery…\n");
  rows.push(...(await crashRecoveryScenario()));

  rows.sort((a, b) => a.item.localeCompare(b.item));
  console.log(table(rows));
  console.log("");
  console.log(
    `Event-loop delay of the engine while the worst inputs (item 3) were sent: p99 ${worst?.p99} ms, max ${worst?.max} ms; over the whole replay (items 1–4, 6, 7): p50 ${overall?.p50} ms, p99 ${overall?.p99} ms, max ${overall?.max} ms.`,
  );
  console.log(
    `Machine: ${cpus().length} cores, load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (the delay is wall-clock: time the engine waited for a core counts).`,
  );
  const failed = rows.filter((r) => !r.held);
  console.log(
    failed.length
      ? `${failed.length} scenario(s) did not hold.`
      : `Every scenario held: ${rows.reduce((n, r) => n + r.tried, 0).toLocaleString("en")} hostile requests, ${rows.reduce((n, r) => n + r.fiveXX, 0)} unexpected 5xx.`,
  );
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
