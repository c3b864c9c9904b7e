/**
 * Hands scheduled messages to the delivery queue, after the write that scheduled them committed: messages due
 * now as batch jobs, each later one as a delayed job of its own whose id names the message and its due time (so a
 * message deferred again, even from inside its own running job, gets a new job; see jobs.ts). Never throws: on
 * failure the sweeper finds the messages once they are overdue and held by no job.
 */
import { repeatedLogFor } from "../lib/repeated-log";
import type { EngineContext } from "../context";

/** The most message ids in one batch job (the payload schema's bound). */
const MAX_BATCH = 5_000;

export interface DueDelivery {
  messageId: string;
  dueAt: Date;
}

/** Enqueues the deliveries in at most two queue calls; `now` decides which are due now. */
export async function enqueueDeliveries(ctx: Pick<EngineContext, "queues" | "metrics" | "log">, deliveries: DueDelivery[], now: Date): Promise<void> {
  if (deliveries.length === 0) return;
  const dueNow = deliveries.filter((d) => d.dueAt.getTime() <= now.getTime()).map((d) => d.messageId);
  const later = deliveries.filter((d) => d.dueAt.getTime() > now.getTime());
  try {
    const batches = Array.from({ length: Math.ceil(dueNow.length / MAX_BATCH) }, (_, i) => ({ messageIds: dueNow.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH) }));
    if (batches.length) await ctx.queues.enqueue("deliverMessages", batches);
    if (later.length) {
      await ctx.queues.enqueueEach(
        "deliverMessage",
        later.map(({ messageId, dueAt }) => ({ payload: { messageId, dueAt: dueAt.getTime() }, delayMs: dueAt.getTime() - now.getTime() })),
      );
    }
  } catch (error) {
    ctx.metrics.enqueueFailures.inc({ job: "deliver-message" }, deliveries.length);
    repeatedLogFor(ctx.log, "could not enqueue delivery; the sweeper will retry").report({ count: deliveries.length, messageId: deliveries[0].messageId, err: (error as Error).message });
  }
}
