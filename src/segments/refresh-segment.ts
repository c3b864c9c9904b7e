/**
 * refreshSegment: recompute a sql segment's members and store them as a diff (added / removed), recording
 * the refresh. A failing query never crashes a worker: the failure is the segment's last-refresh status,
 * and the members stay as they were.
 */
import type { EngineContext } from "../context";
import { ValidationError } from "../lib/errors";
import { inTransaction, withTransaction } from "../db/transaction";
import { getSegment } from "./segment-store";
import { applyMembershipDiff } from "./static-members";
import { QUERY_IDS_TABLE, withSegmentQueryIds, type SqlSegmentLimits } from "./sql-segment-query";

/** At most this many learners per SQL segment: a query returning more is an error, not a huge diff. */
const MAX_ROWS = 2_000_000;

export interface RefreshResult {
  segmentKey: string;
  status: "ok" | "error" | "always-current";
  added: number;
  removed: number;
  memberCount: number;
  error?: string;
}

/**
 * Recomputes a sql segment now (static and attribute segments are always current). The query runs in the
 * segment sandbox and waits there behind other refreshes; a failure of the query itself is recorded as the
 * segment's refresh status, while an outage is thrown (the job retries, the API answers 503).
 */
export async function refreshSegmentNow(ctx: EngineContext, key: string, limits: SqlSegmentLimits = { timeoutMs: ctx.config.segments.timeoutMs, maxRows: MAX_ROWS }): Promise<RefreshResult> {
  const segment = await getSegment(ctx.prisma, key);
  if (segment.type !== "sql" || !segment.sql) return { segmentKey: key, status: "always-current", added: 0, removed: 0, memberCount: segment.memberCount };
  const startedAt = ctx.clock.now();
  try {
    // The query's ids land in a temporary table and are diffed against the members in SQL.
    return await withSegmentQueryIds(ctx.database, segment.sql, limits, (client) =>
      inTransaction(client, async () => {
        await client.query("ANALYZE " + QUERY_IDS_TABLE);
        await client.query(`SELECT 1 FROM segments WHERE key = $1 FOR UPDATE`, [key]);
        const diff = await applyMembershipDiff(client, key, QUERY_IDS_TABLE, "replace", startedAt);
        const finishedAt = ctx.clock.now();
        await client.query(`UPDATE segments SET member_count = $2, last_refreshed_at = $3, last_refresh_status = 'ok', last_refresh_error = NULL WHERE key = $1`, [key, diff.memberCount, finishedAt]);
        await client.query(`INSERT INTO segment_refreshes (segment_key, started_at, finished_at, status, added, removed) VALUES ($1, $2, $3, 'ok', $4, $5)`, [
          key,
          startedAt,
          finishedAt,
          diff.added,
          diff.removed,
        ]);
        return { segmentKey: key, status: "ok" as const, ...diff };
      }),
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const message = error.errors[0]?.message ?? error.message;
    await recordFailure(ctx, key, startedAt, message);
    return { segmentKey: key, status: "error", added: 0, removed: 0, memberCount: segment.memberCount, error: error.message };
  }
}

/** Keys of sql segments whose interval has passed since their last refresh (or never refreshed). */
export async function findSegmentsDueForRefresh(ctx: EngineContext): Promise<string[]> {
  const { rows } = await ctx.database.pool.query<{ key: string }>(
    `SELECT key FROM segments WHERE type = 'sql' AND refresh_interval_minutes IS NOT NULL
        AND (last_refreshed_at IS NULL OR last_refreshed_at + make_interval(mins => refresh_interval_minutes) <= $1)`,
    [ctx.clock.now()],
  );
  return rows.map((r) => r.key);
}

/** After the query's connections are back (on the embedded database there is only one). */
async function recordFailure(ctx: EngineContext, key: string, startedAt: Date, message: string): Promise<void> {
  const now = ctx.clock.now();
  await withTransaction(ctx.database.pool, async (client) => {
    await client.query(`UPDATE segments SET last_refreshed_at = $2, last_refresh_status = 'error', last_refresh_error = $3 WHERE key = $1`, [key, now, message]);
    await client.query(`INSERT INTO segment_refreshes (segment_key, started_at, finished_at, status, error) VALUES ($1, $2, $3, 'error', $4)`, [key, startedAt, now, message]);
  });
  ctx.log.warn({ segment: key, error: message }, "segment refresh failed");
}
