/**
 * Running staff-written segment SQL. The text is checked first (segment-sql-check.ts: one SELECT over the
 * analyst relations, allow-listed functions), then wrapped as a subquery that yields distinct, non-empty
 * `learner_id`s under a row cap, and sent through the extended protocol (one statement, parameters apart).
 * The wrapped statement is parsed again and must contain the author's SELECT exactly as it was checked.
 *
 * On a PostgreSQL server it runs on the sandbox's own connections (src/db/segment-sandbox.ts) as the segment
 * role, and the ids are streamed from a cursor into a temporary table on an engine connection taken only once
 * the query has produced its first rows. On the embedded database (one session) it runs on the engine's
 * connection in a READ ONLY transaction under SET LOCAL ROLE, straight into the temporary table.
 */
import type { PoolClient } from "pg";
import type { Database } from "../db/client";
import { SESSION_READER_ROLE } from "../db/segment-sandbox";
import { checkSegmentSql, parseStatements, type CheckedSegmentSql } from "./segment-sql-check";
import { describeQueryFailure, invalidSegmentSql, type SentStatement } from "./segment-sql-errors";

export interface SqlSegmentLimits {
  timeoutMs: number;
  maxRows: number;
}

/** How long the save-time probe (planning, and no rows) may take. */
const PROBE_TIMEOUT_MS = 5_000;

/** The session's temporary table the query's ids go into. */
export const QUERY_IDS_TABLE = "segment_query_ids";

const FETCH_ROWS = 20_000;
const CURSOR = "segment_ids";

/** The statement around the author's SELECT: `$1` is the row limit. */
const SELECT_IDS = (inner: string) => `SELECT DISTINCT q.learner_id::text AS learner_id FROM (\n${inner}\n) AS q WHERE q.learner_id IS NOT NULL AND q.learner_id::text <> '' LIMIT $1`;
const SHELLS = {
  probe: SELECT_IDS,
  cursor: (inner: string) => `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${SELECT_IDS(inner)}`,
  insert: (inner: string) => `INSERT INTO ${QUERY_IDS_TABLE} (learner_id) ${SELECT_IDS(inner)}`,
};

/**
 * Checks segment SQL on save and plans it for real as the segment role (LIMIT 0: no rows are read), so an
 * unknown column, a type error or a missing learner_id fails now with a plain message. Returns the text to store.
 */
export async function probeSegmentSql(database: Database, sql: string): Promise<string> {
  const checked = await checkSegmentSql(sql);
  const sent = wrap(checked, "probe", PROBE_TIMEOUT_MS);
  const run = async (client: PoolClient, switchRole: boolean) => {
    await client.query("BEGIN TRANSACTION READ ONLY");
    try {
      if (switchRole) await client.query(`SET LOCAL ROLE ${SESSION_READER_ROLE}`);
      await setTimeout(client, PROBE_TIMEOUT_MS);
      await client.query({ text: sent.statement, values: [0] }).catch((error: unknown) => {
        throw describeQueryFailure(error, sent);
      });
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
    }
  };
  if ((await database.segments.mode()) === "role") {
    await database.segments.withClient((client) => run(client, false));
  } else {
    const client = await database.pool.connect();
    try {
      await run(client, true);
    } finally {
      client.release();
    }
  }
  return checked.text;
}

/**
 * Runs segment SQL and hands `work` an engine connection whose temporary table QUERY_IDS_TABLE holds the
 * distinct learner ids it returned (the table is dropped afterwards). Throws ValidationError for any failure
 * of the query itself (refused by the checker, timed out, over the row cap), before `work` runs.
 */
export async function withSegmentQueryIds<T>(database: Database, sql: string, limits: SqlSegmentLimits, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const checked = await checkSegmentSql(sql);
  const engine = (await database.segments.mode()) === "role" ? await collectFromSandbox(database, checked, limits) : await collectInSession(database, checked, limits);
  try {
    return await work(engine);
  } finally {
    await engine.query(`DROP TABLE IF EXISTS ${QUERY_IDS_TABLE}`).catch(() => undefined);
    engine.release();
  }
}

/** Cursor on a sandbox connection → temporary table on an engine connection, taken when the first rows are ready. */
async function collectFromSandbox(database: Database, checked: CheckedSegmentSql, limits: SqlSegmentLimits): Promise<PoolClient> {
  const sent = wrap(checked, "cursor", limits.timeoutMs);
  let engine: PoolClient | null = null;
  try {
    await database.segments.withClient(async (sandbox) => {
      await sandbox.query("BEGIN TRANSACTION READ ONLY");
      await setTimeout(sandbox, limits.timeoutMs);
      const authored = async <R>(run: () => Promise<R>): Promise<R> =>
        run().catch((error: unknown) => {
          throw describeQueryFailure(error, sent);
        });
      await authored(() => sandbox.query({ text: sent.statement, values: [limits.maxRows + 1] }));
      let stored = 0;
      for (;;) {
        const batch = await authored(() => sandbox.query<[string]>({ text: `FETCH FORWARD ${FETCH_ROWS} FROM ${CURSOR}`, rowMode: "array" }));
        engine ??= await openIdsTable(database);
        if (batch.rows.length === 0) break;
        stored += batch.rows.length;
        if (stored > limits.maxRows) throw invalidSegmentSql(`returned more than ${limits.maxRows} learners (the row cap)`);
        await engine.query(`INSERT INTO ${QUERY_IDS_TABLE} (learner_id) SELECT unnest($1::text[])`, [batch.rows.map((r) => r[0])]);
      }
      await sandbox.query("COMMIT");
    });
    return engine!;
  } catch (error) {
    if (engine) {
      await (engine as PoolClient).query(`DROP TABLE IF EXISTS ${QUERY_IDS_TABLE}`).catch(() => undefined);
      (engine as PoolClient).release();
    }
    throw error;
  }
}

/** The embedded database: the engine's one connection, READ ONLY, as coach_segment_reader, into the temporary table. */
async function collectInSession(database: Database, checked: CheckedSegmentSql, limits: SqlSegmentLimits): Promise<PoolClient> {
  const sent = wrap(checked, "insert", limits.timeoutMs);
  const client = await openIdsTable(database);
  try {
    await client.query(`GRANT INSERT ON ${QUERY_IDS_TABLE} TO ${SESSION_READER_ROLE}`);
    await client.query("BEGIN TRANSACTION READ ONLY");
    let stored: number;
    try {
      await client.query(`SET LOCAL ROLE ${SESSION_READER_ROLE}`);
      await setTimeout(client, limits.timeoutMs);
      const result = await client.query({ text: sent.statement, values: [limits.maxRows + 1] }).catch((error: unknown) => {
        throw describeQueryFailure(error, sent);
      });
      stored = result.rowCount ?? 0;
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
    if (stored > limits.maxRows) throw invalidSegmentSql(`returned more than ${limits.maxRows} learners (the row cap)`);
    return client;
  } catch (error) {
    await client.query(`DROP TABLE IF EXISTS ${QUERY_IDS_TABLE}`).catch(() => undefined);
    client.release();
    throw error;
  }
}

async function openIdsTable(database: Database): Promise<PoolClient> {
  const client = await database.pool.connect();
  try {
    await client.query(`CREATE TEMP TABLE ${QUERY_IDS_TABLE} (learner_id text NOT NULL)`);
    return client;
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}

async function setTimeout(client: PoolClient, timeoutMs: number): Promise<void> {
  await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
}

/**
 * The statement to send, with where the author's text sits in it. Parsed again: it must be one statement
 * whose subquery is, node for node, the SELECT that was checked — so no text of the author's can reach
 * outside the parentheses it was put between, whatever it contains.
 */
function wrap(checked: CheckedSegmentSql, shell: keyof typeof SHELLS, timeoutMs: number): SentStatement & { statement: string } {
  const make = SHELLS[shell];
  const statement = make(checked.text);
  const expected = parseStatements(make("SELECT 1"));
  const actual = parseStatements(statement);
  const placed = expected.length === 1 && replaceSubquery(expected[0].stmt, checked.select);
  if (!placed || actual.length !== 1 || JSON.stringify(withoutLocations(expected[0].stmt)) !== JSON.stringify(withoutLocations(actual[0].stmt))) {
    throw invalidSegmentSql("cannot be run as a subquery (check its parentheses and comments)");
  }
  return { statement, text: checked.text, offset: make("\u0000").indexOf("\u0000"), timeoutMs };
}

/** Puts `select` in place of the shell's `(SELECT 1) AS q`; false when there is no such place. */
function replaceSubquery(node: unknown, select: Record<string, unknown>): boolean {
  if (!node || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some((item) => replaceSubquery(item, select));
  const record = node as Record<string, unknown>;
  const sub = record.RangeSubselect as { alias?: { aliasname?: string }; subquery?: unknown } | undefined;
  if (sub && sub.alias?.aliasname === "q") {
    sub.subquery = { SelectStmt: select };
    return true;
  }
  return Object.values(record).some((value) => replaceSubquery(value, select));
}

/** The parser's offsets into the text (location, stmt_len, rexpr_list_start …) differ by where the SELECT sits. */
const OFFSET_FIELD = /(^|_)(location|len|start|end)$/;

function withoutLocations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLocations);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(typeof value === "number" && OFFSET_FIELD.test(key)))
      .map(([key, value]) => [key, withoutLocations(value)]),
  );
}
