/**
 * (3) The delivery worker. A batch job (the messages a matching batch scheduled for right now, or overdue ones
 * the sweeper found) is delivered as one batch. Single-message jobs (delayed messages, job id = message id)
 * that are active at once in this process are gathered and delivered together, so the database work per
 * message shrinks as load grows.
 */
import type { EngineContext } from "../src/context";
import { deliverMessages, type DeliveryOutcome } from "../src/delivery/deliver-message";
import { Batcher } from "../src/lib/batcher";
import type { JobHandler } from "../src/queue/run-worker";

/** Jobs active at once by default: the most one batch can gather. */
export const DELIVERY_CONCURRENCY = 64;

/** Messages some of which lost to concurrent deliveries are retried as a whole (delivered ones are then skipped). */
export function deliverMessagesHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    const outcomes = await deliverMessages(ctx, (payload as { messageIds: string[] }).messageIds);
    const contended = [...outcomes].filter(([, o]) => o.type === "contended").length;
    if (contended > 0) throw new Error(`${contended} deliveries lost to concurrent deliveries; retrying`);
  };
}

export function deliverMessageHandler(ctx: EngineContext): JobHandler {
  const batcher = new Batcher<string, DeliveryOutcome>(async (ids) => {
    const outcomes = await deliverMessages(ctx, ids);
    return ids.map((id) => outcomes.get(id));
  }, { maxBatch: DELIVERY_CONCURRENCY, maxInFlight: 2 });
  return async (payload) => {
    const messageId = (payload as { messageId: string }).messageId;
    const outcome = await batcher.submit(messageId);
    if (outcome.type === "contended") throw new Error(`delivery of message ${messageId} lost to concurrent deliveries; retrying`);
  };
}
