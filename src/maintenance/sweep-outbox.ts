/**
 * The sweeper: whatever was committed but never reached (or fell out of) a queue is enqueued again, in
 * chunks, so recovering from a long Redis outage is batch work like the normal path. A chunk's job id is
 * derived from its ids, so a sweep that finds the same stragglers again does not queue them twice; and
 * matching and delivery are idempotent, so an event or message in two jobs is still handled once.
 */
import type { EngineContext } from "../context";
import { findUnmatchedEvents } from "../ingest/outbox";
import { findOverdueMessages } from "../delivery/overdue-messages";

const BATCH = 5_000;
/** Ids per job: the matching chunk size, and a delivery batch of the same size. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  return Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));
}

export interface SweepResult {
  events: number;
  messages: number;
}

/** Re-enqueues unmatched events and overdue scheduled messages older than the sweep threshold. */
export async function sweepOutbox(ctx: EngineContext): Promise<SweepResult> {
  const olderThan = new Date(ctx.clock.now().getTime() - ctx.config.sweepAfterMs);
  const eventIds = await findUnmatchedEvents(ctx.database.pool, olderThan, BATCH);
  await ctx.queues.enqueue("matchEvents", chunks(eventIds).map((ids) => ({ eventIds: ids })));
  const messageIds = await findOverdueMessages(ctx.database.pool, olderThan, BATCH);
  await ctx.queues.enqueue("deliverMessages", chunks(messageIds).map((ids) => ({ messageIds: ids })));
  if (eventIds.length || messageIds.length) ctx.log.info({ events: eventIds.length, messages: messageIds.length }, "sweeper re-enqueued work");
  return { events: eventIds.length, messages: messageIds.length };
}
