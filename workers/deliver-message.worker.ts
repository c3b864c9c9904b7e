/**
 * (3) The delivery worker: one due message per job (job id = message id), delivered in batches — jobs that
 * are active at once in this process are decided and written together (deliverMessages), so the database
 * work per message shrinks as load grows.
 */
import type { EngineContext } from "../src/context";
import { deliverMessages, type DeliveryOutcome } from "../src/delivery/deliver-message";
import { Batcher } from "../src/lib/batcher";
import type { JobHandler } from "../src/queue/run-worker";

/** Jobs active at once by default: the most one batch can gather. */
export const DELIVERY_CONCURRENCY = 64;

export function deliverMessageHandler(ctx: EngineContext): JobHandler {
  const batcher = new Batcher<string, DeliveryOutcome>((ids) => deliverMessages(ctx, ids), { maxBatch: DELIVERY_CONCURRENCY, maxInFlight: 2 });
  return async (payload) => {
    const messageId = (payload as { messageId: string }).messageId;
    const outcome = await batcher.submit(messageId);
    if (outcome.type === "contended") throw new Error(`delivery of message ${messageId} lost to concurrent deliveries; retrying`);
  };
}
