/**
 * The ingest outbox: stored events reach the matching queue now if Redis answers, or later through
 * the sweeper (events.matched_at IS NULL and held by no live job). A Redis outage delays matching; it never
 * loses an event.
 */
import type { Pool } from "pg";
import type { EngineContext } from "../context";
import { repeatedLogFor } from "../lib/repeated-log";

/** Enqueues matching for freshly stored events; never throws (the sweeper is the fallback). */
export async function publishStoredEvents(ctx: Pick<EngineContext, "queues" | "log" | "metrics">, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return;
  try {
    await ctx.queues.enqueue("matchEvents", [{ eventIds }]);
  } catch (error) {
    ctx.metrics.enqueueFailures.inc({ job: "match-events" }, eventIds.length);
    // Once per outage, then counted (every ingest request meets the same outage).
    repeatedLogFor(ctx.log, "could not enqueue matching; the sweeper will retry").report({ err: (error as Error).message, count: eventIds.length });
  }
}

/** Event ids stored before `olderThan`, not yet matched and not marked failed (poison), oldest first. */
export async function findUnmatchedEvents(pool: Pool, olderThan: Date, limit: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM events WHERE matched_at IS NULL AND match_failed_at IS NULL AND received_at < $1 ORDER BY received_at LIMIT $2`, [
    olderThan,
    limit,
  ]);
  return rows.map((r) => r.id);
}
