/**
 * Issue 12, item 1: the SQL segment sandbox, attacked with an author key. Every escape the issue reproduced,
 * sent on segment creation (the probe) and on update; then what each escape was after: the host (a file
 * written by COPY … TO PROGRAM), the author key's role, the pooled connections (200 ingest requests after the
 * poisoning attempts), large objects; generated statements of other kinds; and 24 concurrent refreshes of
 * a slow query while ingest must keep answering.
 */
import { existsSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Client } from "pg";
import { allowedSegmentSql, forbiddenSegmentSql } from "../../tests/factories/segment-sql";
import type { ReportEngine } from "./report-engine";
import { call, inParallel, p99, Tally, type ReportRow } from "./report-row";

/** The escapes, with what each was after. */
function escapes(marker: string): Array<[string, string]> {
  return [
    ["string/comment trick: COPY … TO PROGRAM", `select 'x' as learner_id -- '\n) AS q; COMMIT; RESET ROLE; COPY (select 1) TO PROGRAM 'id > ${marker}'; SELECT 1 FROM (SELECT 1 AS learner_id --'`],
    [
      "string/comment trick: UPDATE api_keys SET role='admin'",
      "select 'x' as learner_id -- '\n) AS q; COMMIT; RESET ROLE; UPDATE api_keys SET role = 'admin'; SELECT 1 FROM (SELECT 1 AS learner_id --'",
    ],
    ["set_config('role') + query_to_xml(settings)", "select concat(set_config('role','postgres',true), query_to_xml('select key, value from settings', true, false, '')::text) as learner_id"],
    ["query_to_xml(api_keys.secret_hash)", "select query_to_xml('select secret_hash from api_keys', true, false, '')::text as learner_id"],
    ["pg_read_file", "select pg_read_file('/etc/passwd') as learner_id"],
    ["set_config('role', …, false): poison the pool", "select set_config('role', 'postgres', false) as learner_id"],
    ["set_config('default_transaction_read_only', 'on', false)", "select set_config('default_transaction_read_only', 'on', false) as learner_id"],
    ["lo_create", "select lo_create(0)::text as learner_id"],
    ["lo_from_bytea (1 MB)", "select lo_from_bytea(0, convert_to(repeat('x', 1048576), 'UTF8'))::text as learner_id"],
    ["pg_sleep(28)", "select 'a' as learner_id from pg_sleep(28)"],
  ];
}

/** Runs the item-1 scenarios; `operatorUrl` reads the database as its owner (large objects, roles). */
export async function sqlSandboxScenarios(engine: ReportEngine): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  const operator = new Client({ connectionString: engine.databaseUrl });
  await operator.connect();
  try {
    const largeObjects = async () => Number((await operator.query<{ n: string }>("SELECT count(*) AS n FROM pg_largeobject_metadata")).rows[0].n);
    const marker = `/tmp/coach-report-escape-${randomUUID()}`;
    const objectsBefore = await largeObjects();
    const existing = await call(engine, "POST", "/v1/segments", { role: "author", body: { key: "report-sql", name: "r", type: "sql", sql: "SELECT learner_id FROM events" } });
    if (existing.status !== 201) throw new Error(`could not create a sql segment: ${existing.status} ${existing.text}`);

    const escapesTally = new Tally();
    const reasons = new Set<string>();
    for (const [, sql] of escapes(marker)) {
      const created = await call(engine, "POST", "/v1/segments", { role: "author", body: { key: `report-${randomUUID().slice(0, 8)}`, name: "e", type: "sql", sql } });
      escapesTally.count(created.status, created.status === 400);
      reasons.add(String(created.json?.errors?.[0]?.message ?? created.status));
      const updated = await call(engine, "PUT", "/v1/segments/report-sql", { role: "author", body: { sql } });
      escapesTally.count(updated.status, updated.status === 400);
    }
    const me = await call(engine, "GET", "/v1/me", { role: "author" });
    const poisonCheck = new Tally();
    const ingest = await inParallel(200, 20, (i) =>
      call(engine, "POST", "/v1/events", { role: "ingest", body: { id: `sbx-${i}-${randomUUID()}`, type: "module.started", learnerId: `sbx-${i % 20}`, occurredAt: new Date().toISOString() } }),
    );
    for (const r of ingest) poisonCheck.count(r.status, false);
    const objectsAfter = await largeObjects();
    const fileWritten = existsSync(marker);
    if (fileWritten) rmSync(marker, { force: true });
    const held = escapesTally.refused === escapesTally.tried && !fileWritten && me.json?.role === "author" && objectsAfter === objectsBefore && poisonCheck.statuses.get(202) === 200;
    rows.push(
      escapesTally.row(
        "1",
        `SQL sandbox: the issue's ${escapes(marker).length} escapes, on creation (the probe) and on update (author key)`,
        `${reasons.size} distinct reasons named; no file written by COPY TO PROGRAM: ${!fileWritten}; author key still "${me.json?.role}"; large objects ${objectsBefore} → ${objectsAfter}; then ${poisonCheck.statuses.get(202) ?? 0}/200 ingest requests 202 (no poisoned connection)`,
        held,
      ),
    );

    // Generated statements: every other kind refused, generated SELECTs over the analyst relations accepted.
    const generated = new Tally();
    for (const sql of fc.sample(forbiddenSegmentSql, 200)) {
      const res = await call(engine, "POST", "/v1/segments", { role: "author", body: { key: `gen-${randomUUID().slice(0, 8)}`, name: "g", type: "sql", sql } });
      generated.count(res.status, res.status === 400);
    }
    let allowedOk = 0;
    const allowed = fc.sample(allowedSegmentSql, 40);
    for (const sql of allowed) {
      const res = await call(engine, "POST", "/v1/segments", { role: "author", body: { key: `ok-${randomUUID().slice(0, 8)}`, name: "g", type: "sql", sql } });
      if (res.status === 201) allowedOk++;
      else if (res.status >= 500) generated.fiveXX++;
    }
    rows.push(
      generated.row(
        "1",
        "SQL sandbox: 200 generated statements of other kinds (writes, DDL, COPY, SET ROLE, forbidden functions and relations, several statements)",
        `${allowedOk}/${allowed.length} generated SELECTs over the analyst relations accepted`,
        generated.refused === generated.tried && allowedOk === allowed.length,
      ),
    );

    // 24 concurrent refreshes of a query that runs past the statement timeout, while ingest goes on.
    const slow = await call(engine, "POST", "/v1/segments", {
      role: "author",
      body: { key: "report-slow", name: "slow", type: "sql", sql: "SELECT a.learner_id FROM events a, events b, events c WHERE length(a.learner_id || b.learner_id || c.learner_id) > 0" },
    });
    const refreshes = new Tally();
    const ingestDuring = new Tally();
    const latencies: number[] = [];
    let refreshing = true;
    const refreshing24 = inParallel(24, 24, async () => {
      const res = await call(engine, "POST", "/v1/segments/report-slow/refresh", { role: "author" });
      refreshes.count(res.status, res.status < 500 && res.json?.status === "error");
    }).finally(() => (refreshing = false));
    let n = 0;
    const ingesting = inParallel(4, 4, async () => {
      while (refreshing || n < 200) {
        const started = Date.now();
        const res = await call(engine, "POST", "/v1/events", {
          role: "ingest",
          body: { id: `slow-${n++}-${randomUUID()}`, type: "module.started", learnerId: "slow", occurredAt: new Date().toISOString() },
        });
        latencies.push(Date.now() - started);
        ingestDuring.count(res.status, false);
      }
    });
    await Promise.all([refreshing24, ingesting]);
    rows.push(
      refreshes.row(
        "1",
        "SQL sandbox: 24 concurrent refreshes of a query past the statement timeout (pg_sleep itself is refused above)",
        `segment created: ${slow.status}; ingest meanwhile ${ingestDuring.statuses.get(202) ?? 0}/${ingestDuring.tried} answered 202, p99 ${p99(latencies)} ms`,
        slow.status === 201 && ingestDuring.statuses.get(202) === ingestDuring.tried,
      ),
    );
  } finally {
    await operator.end();
  }
  return rows;
}
