/**
 * (3) The delivery worker. A batch job (the messages a matching batch scheduled for right now, or overdue ones
 * the sweeper found) is delivered as one batch; single-message jobs (delayed messages) active at once in this
 * process are gathered and delivered together (src/delivery/deliver-batch.ts).
 */
import type { EngineContext } from "../src/context";
import { DueMessageDeliverer, deliverMessageBatch } from "../src/delivery/deliver-batch";
import type { QueueHandlers } from "../src/queue/run-worker";

/** Jobs active at once by default: the most one batch can gather. */
export const DELIVERY_CONCURRENCY = 64;

/** Handlers for every job on the deliver queue. */
export function deliverHandlers(ctx: EngineContext, maxBatch = DELIVERY_CONCURRENCY): QueueHandlers<"deliver"> {
  const single = new DueMessageDeliverer(ctx, maxBatch);
  return {
    deliverMessages: ({ messageIds }, job) => deliverMessageBatch(ctx, messageIds, job),
    deliverMessage: ({ messageId, dueAt }, job) => single.deliver(messageId, dueAt, job),
  };
}
