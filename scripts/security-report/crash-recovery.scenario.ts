/**
 * Issue 12, item 5: PostgreSQL crash recovery answered 500 (144 × in 10 s). A private cluster (initdb +
 * pg_ctl on its own port; the shared server is never touched) is crashed with `pg_ctl stop -m immediate` under
 * ingest and read load from 12 clients, restarted without waiting, and replays its WAL; every answer while it
 * is down or recovering must be 503 with Retry-After, and the engine must serve again by itself.
 */
import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { findInitdb, startPrivatePostgres } from "../support/private-services";
import { isDatabaseDown } from "../../src/db/database-down";
import { deleteQueueKeys } from "../../tests/setup/engine-process";
import { startReportEngine } from "./report-engine";
import { call, Tally, type ReportRow } from "./report-row";

const PORT = 55_497;

/** Runs the item-5 scenario (skipped, and said so, when PostgreSQL's server binaries are missing). */
export async function crashRecoveryScenario(): Promise<ReportRow[]> {
  const title = "PostgreSQL crash (pg_ctl stop -m immediate) and WAL recovery under load from 12 clients (private cluster)";
  if (!findInitdb()) return [{ item: "5", scenario: title, tried: 0, refused: 0, fiveXX: 0, check: "skipped: initdb not installed", held: false }];
  const pg = await startPrivatePostgres(PORT, { checkpoint_timeout: "1h", max_wal_size: "4GB", shared_buffers: "16MB" });
  const url = pg.url.replace(/\/postgres$/, "/coach_report");
  let engine: Awaited<ReturnType<typeof startReportEngine>> | null = null;
  try {
    engine = await startReportEngine(url, { COACH_PROCESS: "api", LOG_LEVEL: "info" });
    const e = engine;
    const operator = async (sql: string) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await operator("CREATE TABLE IF NOT EXISTS filler (g int, pad text)");
    await operator("INSERT INTO filler SELECT g, repeat('x', 200) FROM generate_series(1, 400000) g"); // WAL to replay
    const tally = new Tally();
    let badRetry = 0;
    let recovered = false;
    let servedAfter = 0;
    let n = 0;
    const client = async (w: number) => {
      while (!(recovered && servedAfter >= 30)) {
        const i = n++;
        const res =
          i % 2 === 0
            ? await call(e, "POST", "/v1/events", { role: "ingest", body: { id: `cr-${randomUUID()}`, type: "module.started", learnerId: `CR${w}`, occurredAt: new Date().toISOString() } })
            : await call(e, "GET", `/v1/learners/CR${w}/messages`, { role: "ingest" });
        const intended = res.status === 503 && /^\d+$/.test(res.headers.get("retry-after") ?? "");
        if (res.status === 503 && !intended) badRetry++;
        tally.count(res.status, intended, intended);
        if (recovered && res.status < 300) servedAfter++;
      }
    };
    const loading = Promise.all(Array.from({ length: 12 }, (_, w) => client(w)));
    await new Promise((r) => setTimeout(r, 1_000));
    const crashedAt = Date.now();
    await pg.stop("immediate");
    await pg.start({ wait: false });
    const refusals = new Set<string>();
    for (;;) {
      const probe = new Client({ connectionString: url });
      try {
        await probe.connect();
        await probe.end();
        break;
      } catch (error) {
        refusals.add(String((error as { code?: unknown }).code ?? "?") + (isDatabaseDown(error) ? "" : " (not seen as down!)"));
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const downMs = Date.now() - crashedAt;
    recovered = true;
    await loading;
    const unavailable = tally.statuses.get(503) ?? 0;
    return [
      tally.row(
        "5",
        title,
        `${unavailable} × 503 with Retry-After while down ${(downMs / 1000).toFixed(1)} s (refusals seen: ${[...refusals].join(", ")}); ${badRetry} × 503 without it; served again by itself (30 answers 2xx after recovery); answers ${tally.describe()}`,
        badRetry === 0 && unavailable > 0,
      ),
    ];
  } finally {
    await engine?.stop();
    if (engine) await deleteQueueKeys(engine.queuePrefix).catch(() => undefined);
    pg.destroy();
  }
}
