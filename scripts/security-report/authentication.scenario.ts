/**
 * Issue 12, item 7: no limit on failed authentication, an unknown-key cache that evicted valid keys, a wrong
 * role answered with the schema's errors (400) instead of 403, segment errors quoting PostgreSQL, and idle or
 * slow sockets held without limit. Each client is its own loopback address (127.0.0.0/8), as separate
 * attackers would be.
 */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { rawExchange } from "../../tests/fuzz/raw-exchange";
import { operationsOf } from "../../tests/fuzz/fuzz-targets";
import type { ReportEngine } from "./report-engine";
import { call, inParallel, p99, Tally, type ReportRow } from "./report-row";

const randomKey = () => `coach_admin_${randomBytes(24).toString("base64url")}`;

async function getAs(engine: ReportEngine, path: string, key: string, localAddress: string) {
  return rawExchange(engine.port, { method: "GET", target: path, headers: [["Authorization", `Bearer ${key}`]], localAddress });
}

/** 3,000 random admin keys from one client, as fast as it can send them. */
export async function guessingScenario(engine: ReportEngine): Promise<ReportRow> {
  const tally = new Tally();
  let firstBlocked = -1;
  let noRetryAfter = 0;
  const answers = await inParallel(3_000, 20, (i) => getAs(engine, "/v1/api-keys", randomKey(), "127.0.0.7").then((a) => ({ i, a })));
  for (const { i, a } of answers) {
    tally.count(a.status, a.status === 401 || a.status === 429);
    if (a.status === 429 && (firstBlocked < 0 || i < firstBlocked)) firstBlocked = i;
    if (a.status === 429 && !/^\d+$/.test(a.headers["retry-after"] ?? "")) noRetryAfter++;
  }
  const other = await getAs(engine, "/v1/api-keys", engine.keys.admin, "127.0.0.8");
  const blocked = await getAs(engine, "/v1/api-keys", engine.keys.admin, "127.0.0.7");
  return tally.row(
    "7",
    "Authentication: 3,000 random admin keys from one client address",
    `${tally.describe()} (429 with Retry-After: ${noRetryAfter === 0}); meanwhile a valid key from another address: ${other.status}; a valid key from the blocked address: ${blocked.status}`,
    (tally.statuses.get(429) ?? 0) > 2_900 && noRetryAfter === 0 && other.status === 200 && blocked.status === 429,
  );
}

/** 10,500 distinct unknown keys (350 addresses × 30, under each address's limit), then the valid keys. */
export async function keyCacheScenario(engine: ReportEngine): Promise<ReportRow> {
  const tally = new Tally();
  await inParallel(10_500, 20, async (i) => {
    const a = await getAs(engine, "/v1/me", randomKey(), `127.4.${1 + Math.floor(i / 30 / 250)}.${1 + (Math.floor(i / 30) % 250)}`);
    tally.count(a.status, a.status === 401 || a.status === 429);
  });
  const latencies: number[] = [];
  let ok = 0;
  for (let i = 0; i < 200; i++) {
    const started = Date.now();
    const res = await call(engine, "GET", "/v1/me", { role: (["ingest", "author", "analyst"] as const)[i % 3] });
    latencies.push(Date.now() - started);
    if (res.status === 200) ok++;
  }
  return tally.row(
    "7",
    "Authentication: 10,500 distinct unknown keys from 350 addresses (past the 10,000-entry unknown-key cache)",
    `${tally.describe()}; then ${ok}/200 requests with valid keys 200, p99 ${p99(latencies)} ms`,
    ok === 200 && (tally.statuses.get(401) ?? 0) === tally.tried,
  );
}

/** Every write operation with every role it does not grant, with a malformed and a schema-invalid body. */
export async function roleBeforeBodyScenario(engine: ReportEngine): Promise<ReportRow> {
  const operations = operationsOf((await call(engine, "GET", "/openapi.json")).json).filter((op) => op.write && op.access !== "public");
  const tally = new Tally();
  const wrong: string[] = [];
  for (const op of operations) {
    const path = op.path.replace(/\{[^}]+\}/g, "x");
    for (const role of (["ingest", "author", "analyst"] as const).filter((r) => !(op.access as readonly string[]).includes(r))) {
      for (const body of ["{", JSON.stringify({ unexpected: [1, { deep: true }], key: 42 })]) {
        const res = await call(engine, op.method.toUpperCase(), path, { role, body, headers: { "x-experience-api-version": "1.0.3" } });
        tally.count(res.status, res.status === 403);
        if (res.status !== 403) wrong.push(`${op.method} ${op.path} as ${role}: ${res.status}`);
      }
    }
  }
  return tally.row(
    "7",
    `Authorization before the body: ${operations.length} write operations × each role they do not grant, malformed and schema-invalid bodies`,
    wrong.length ? `not 403: ${wrong.slice(0, 5).join("; ")}` : "every answer 403, none the schema's 400",
    wrong.length === 0,
  );
}

/** SQL segments that fail in the parser, the checker or PostgreSQL: the answers never quote the database. */
export async function segmentErrorScenario(engine: ReportEngine): Promise<ReportRow> {
  const queries = [
    "SELECT learner_id FROM api_keys",
    "SELECT secret_hash AS learner_id FROM api_keys",
    "SELECT learner_id FROM no_such_table",
    "SELECT learner_id FROM events WHERE",
    "SELECT learner_id::int::text AS learner_id FROM events",
    "SELECT learner_id FROM events WHERE 1 / (length(learner_id) - length(learner_id)) = 1",
    "SELECT no_such_column AS learner_id FROM events",
    "SELECT learner_id FROM events WHERE occurred_at > 'not a date'",
    "SELECT (SELECT learner_id FROM events) AS learner_id",
  ];
  const pgText = /permission denied|relation "|column "|syntax error at or near|invalid input syntax for|division by zero|more than one row returned|ERROR:/i;
  const tally = new Tally();
  const quoted: string[] = [];
  for (const [i, sql] of queries.entries()) {
    const key = `err-${i}-${randomBytes(3).toString("hex")}`;
    const created = await call(engine, "POST", "/v1/segments", { role: "author", body: { key, name: "e", type: "sql", sql } });
    let answer = created.text;
    let refused = created.status === 400;
    if (created.status === 201) {
      const refreshed = await call(engine, "POST", `/v1/segments/${key}/refresh`, { role: "author" });
      answer += refreshed.text + (await call(engine, "GET", `/v1/segments/${key}`, { role: "author" })).text;
      refused = refreshed.status === 200 && refreshed.json?.status === "error";
      if (refreshed.status >= 500) tally.fiveXX++;
    }
    tally.count(created.status, refused);
    if (pgText.test(answer)) quoted.push(`${sql}: ${pgText.exec(answer)![0]}`);
  }
  return tally.row(
    "7",
    `Segment errors: ${queries.length} SQL segments failing in the parser, the checker or PostgreSQL (on creation or refresh)`,
    quoted.length ? `PostgreSQL quoted: ${quoted.join("; ")}` : "each refused or failed with a sentence of the engine's own; no PostgreSQL message quoted",
    quoted.length === 0 && tally.refused === tally.tried,
  );
}

/** 4,000 sockets that send part of a request line and then nothing (slowloris), with /healthz asked meanwhile. */
export async function slowSocketsScenario(engine: ReportEngine, headersTimeoutMs: number): Promise<ReportRow> {
  const tally = new Tally();
  const started = Date.now();
  let connected = 0;
  const closings = Array.from(
    { length: 4_000 },
    (_, i) =>
      new Promise<{ status: number; ms: number }>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port: engine.port, localAddress: `127.5.${1 + Math.floor(i / 250)}.${1 + (i % 250)}` });
        let received = "";
        socket.on("connect", () => {
          connected++;
          socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        });
        socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
        socket.on("error", () => undefined);
        socket.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), ms: Date.now() - started }));
      }),
  );
  while (connected < 4_000 && Date.now() - started < headersTimeoutMs * 0.6) await new Promise((r) => setTimeout(r, 10));
  const asked = Date.now();
  const healthz = await call(engine, "GET", "/healthz");
  const healthzMs = Date.now() - asked;
  const openWhenAsked = connected;
  for (const c of await Promise.all(closings)) tally.count(c.status, c.status === 408);
  const last = Math.max(...(await Promise.all(closings)).map((c) => c.ms));
  return tally.row(
    "7",
    "Connections: 4,000 slow sockets (an incomplete request line, then silence)",
    `${tally.statuses.get(408) ?? 0} closed with 408, the last ${(last / 1000).toFixed(1)} s after opening (header timeout ${headersTimeoutMs / 1000} s); /healthz with ${openWhenAsked} of them open: ${healthz.status} in ${healthzMs} ms`,
    (tally.statuses.get(408) ?? 0) === 4_000 && healthz.status === 200,
  );
}
