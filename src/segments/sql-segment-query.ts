/**
 * Running staff-written segment SQL safely. The text must be one SELECT (or WITH … SELECT) returning a
 * `learner_id` column. It runs wrapped as a subquery — so a second statement or a DML is a syntax error —
 * in a READ ONLY transaction, as the role `coach_segment_reader` (SELECT on the documented tables only),
 * with a statement timeout and a row cap.
 */
import type { Pool, PoolClient } from "pg";
import { ValidationError } from "../lib/errors";
import { inTransaction } from "../db/transaction";

export const SEGMENT_READER_ROLE = "coach_segment_reader";

export interface SqlSegmentLimits {
  timeoutMs: number;
  maxRows: number;
}

export const DEFAULT_SQL_LIMITS: SqlSegmentLimits = { timeoutMs: 30_000, maxRows: 2_000_000 };

/** Rejects what is clearly not a single SELECT, with a message staff can act on; returns the text to run. */
export function normalizeSegmentSql(sql: string): string {
  const text = sql.trim().replace(/;\s*$/, "");
  const stripped = text.replace(/'(?:[^']|'')*'/g, "''").replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " ");
  if (!/^(select|with)\b/i.test(stripped.trim())) throw invalid("must be a single SELECT (or WITH … SELECT) statement");
  if (stripped.includes(";")) throw invalid("must be a single statement: remove the ';' between statements");
  return text;
}

/** The session's temporary table the query's ids go into: they never travel through Node. */
export const QUERY_IDS_TABLE = "segment_query_ids";

/**
 * Runs `work` on a pooled connection holding an empty temporary table QUERY_IDS_TABLE that the reader role may
 * fill (a READ ONLY transaction may still write temporary tables); the table is dropped afterwards.
 */
export async function withQueryIdsTable<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`CREATE TEMP TABLE ${QUERY_IDS_TABLE} (learner_id text NOT NULL)`);
    await client.query(`GRANT INSERT ON ${QUERY_IDS_TABLE} TO ${SEGMENT_READER_ROLE}`);
    return await work(client);
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${QUERY_IDS_TABLE}`).catch(() => undefined);
    client.release();
  }
}

/**
 * Runs the query into QUERY_IDS_TABLE (see withQueryIdsTable) as distinct, non-empty learner ids and returns
 * how many; `probeOnly` plans and runs it for no rows. Throws ValidationError for any failure of the query itself.
 */
export async function runSegmentSql(client: PoolClient, sql: string, limits: SqlSegmentLimits = DEFAULT_SQL_LIMITS, probeOnly = false): Promise<number> {
  const text = normalizeSegmentSql(sql);
  let stored: number;
  try {
    stored = await inTransaction(client, async () => {
      await client.query(`SET LOCAL ROLE ${SEGMENT_READER_ROLE}`);
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(limits.timeoutMs)]);
      const limit = probeOnly ? 0 : limits.maxRows + 1;
      const { rowCount } = await client.query(
        `INSERT INTO ${QUERY_IDS_TABLE} (learner_id)
         SELECT DISTINCT q.learner_id::text FROM (${text}\n) AS q WHERE q.learner_id IS NOT NULL AND q.learner_id::text <> '' LIMIT ${limit}`,
      );
      return rowCount ?? 0;
    }, { readOnly: true });
  } catch (error) {
    throw invalid(describePgError(error, limits));
  }
  if (stored > limits.maxRows) throw invalid(`returned more than ${limits.maxRows} learners (the row cap)`);
  return stored;
}

function describePgError(error: unknown, limits: SqlSegmentLimits): string {
  const e = error as { code?: string; message?: string; position?: string };
  if (e.code === "57014") return `ran longer than the ${limits.timeoutMs / 1000} s statement timeout`;
  if (e.code === "42501") return `${e.message} (segment SQL may read only the documented tables and views)`;
  if (e.code === "42703" && /learner_id/.test(e.message ?? "")) return "must return a column named learner_id";
  if (e.code === "25006") return "must not modify data (segment SQL runs read-only)";
  return e.message ?? "the query failed";
}

function invalid(message: string): ValidationError {
  return new ValidationError(`The segment's SQL ${message}`, [{ path: "sql", message }]);
}
