/**
 * The sweeper: whatever was committed but is held by no live job — its enqueue failed, Redis lost it, its job
 * finished without finishing it — is enqueued again, in chunks, so recovering from a long Redis outage is batch
 * work like the normal path.
 *
 * It does not pile on. During a backlog most unfinished items sit in jobs still waiting their turn; re-enqueueing
 * them would add load exactly when the fleet is behind (and, with ids derived from the items, re-adds were
 * swallowed by kept jobs instead). So it asks the queue which of the items it found no waiting, delayed or active
 * job holds (src/queue/live-work.ts), and enqueues only those, each chunk under an id of its own. Matching and
 * delivery are idempotent, so an item that a job finished in the meantime costs a no-op.
 *
 * Events and messages marked failed (poison, see src/queue/isolate-failures.ts) are not taken: they wait for an
 * operator (POST /v1/operations/failures/retry).
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
  /** Unmatched events older than the threshold (at most BATCH). */
  events: number;
  /** Overdue scheduled messages (at most BATCH). */
  messages: number;
  /** Of those, the ones no live job held: enqueued again. */
  eventsRequeued: number;
  messagesRequeued: number;
}

/** Re-enqueues unmatched events and overdue scheduled messages older than the sweep threshold that no live job holds. */
export async function sweepOutbox(ctx: EngineContext): Promise<SweepResult> {
  const olderThan = new Date(ctx.clock.now().getTime() - ctx.config.sweepAfterMs);
  const eventIds = await findUnmatchedEvents(ctx.database.pool, olderThan, BATCH);
  const events = await ctx.queues.findOrphans("match", eventIds);
  await ctx.queues.enqueue(
    "matchEvents",
    chunks(events.orphans).map((ids) => ({ eventIds: ids })),
  );
  const messageIds = await findOverdueMessages(ctx.database.pool, olderThan, BATCH);
  const messages = await ctx.queues.findOrphans("deliver", messageIds);
  await ctx.queues.enqueue(
    "deliverMessages",
    chunks(messages.orphans).map((ids) => ({ messageIds: ids })),
  );
  const result = { events: eventIds.length, messages: messageIds.length, eventsRequeued: events.orphans.length, messagesRequeued: messages.orphans.length };
  if (result.eventsRequeued || result.messagesRequeued) ctx.log.info(result, "sweeper re-enqueued orphaned work");
  if (!events.complete || !messages.complete) ctx.log.info(result, "sweeper: too many live jobs to read this round; orphans among them wait for a smaller backlog");
  return result;
}
