/**
 * The sweeper: whatever was committed but never reached (or fell out of) a queue is enqueued again.
 * Job ids make this idempotent: an event or message already queued is not queued twice.
 */
import type { EngineContext } from "../context";
import { findUnmatchedEvents } from "../ingest/outbox";
import { findOverdueMessages } from "../delivery/overdue-messages";

const BATCH = 5_000;

export interface SweepResult {
  events: number;
  messages: number;
}

/** Re-enqueues unmatched events and overdue scheduled messages older than the sweep threshold. */
export async function sweepOutbox(ctx: EngineContext): Promise<SweepResult> {
  const olderThan = new Date(ctx.clock.now().getTime() - ctx.config.sweepAfterMs);
  const eventIds = await findUnmatchedEvents(ctx.database.pool, olderThan, BATCH);
  await ctx.queues.enqueue("matchEvent", eventIds.map((eventId) => ({ eventId })));
  const messageIds = await findOverdueMessages(ctx.database.pool, olderThan, BATCH);
  await ctx.queues.enqueue("deliverMessage", messageIds.map((messageId) => ({ messageId })));
  if (eventIds.length || messageIds.length) ctx.log.info({ events: eventIds.length, messages: messageIds.length }, "sweeper re-enqueued work");
  return { events: eventIds.length, messages: messageIds.length };
}
