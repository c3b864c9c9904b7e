/**
 * (3) What delivery jobs do with their messages. A batch job's messages are delivered together; single-message
 * jobs (delayed deliveries) that are active at once in this process are gathered and delivered together, so the
 * database work per message shrinks as load grows. Either way poison is isolated: a message whose delivery fails
 * on its own is retried with its job and, after the last attempt, marked `failed` while the others go out.
 */
import type { EngineContext } from "../context";
import { Batcher, ItemFailure } from "../lib/batcher";
import { isolateFailures, isOutage, settlePoison, type ItemFailureReport } from "../queue/isolate-failures";
import { deliverMessages, type DeliveryOutcome } from "./deliver-message";
import { markMessagesFailed } from "./delivery-failures";

/** Marks the messages that failed alone after every attempt, counts and logs them. */
async function markPoison(ctx: EngineContext, poison: Array<ItemFailureReport<string>>): Promise<void> {
  const marked = await markMessagesFailed(
    ctx.database.pool,
    poison.map((p) => ({ messageId: p.item, error: p.error.message })),
    ctx.clock.now(),
  );
  ctx.metrics.isolatedFailures.inc({ kind: "message" }, marked.length);
  ctx.log.warn({ messageIds: marked, err: poison[0].error.message }, "messages failed to deliver on their own after every attempt: marked failed (GET /v1/operations/failures)");
}

/** Delivers one batch job's messages. Messages that lost to concurrent deliveries make the job retry (the delivered ones are then skipped). */
export async function deliverMessageBatch(ctx: EngineContext, messageIds: string[], attempt: { finalAttempt: boolean }): Promise<void> {
  let contended = 0;
  const failed = await isolateFailures(messageIds, async (ids) => {
    const outcomes = await deliverMessages(ctx, ids);
    contended += [...outcomes.values()].filter((o) => o.type === "contended").length;
  });
  await settlePoison(failed, messageIds.length, attempt, (poison) => markPoison(ctx, poison));
  if (contended > 0) throw new Error(`${contended} deliveries lost to concurrent deliveries; retrying`);
}

/** Delivers single-message jobs, gathering those active at once into one batch. */
export class DueMessageDeliverer {
  private readonly batcher: Batcher<string, DeliveryOutcome>;

  constructor(
    private readonly ctx: EngineContext,
    maxBatch: number,
  ) {
    this.batcher = new Batcher<string, DeliveryOutcome>(
      async (ids) => {
        const outcomes = new Map<string, DeliveryOutcome>();
        const failed = await isolateFailures(ids, async (part) => {
          for (const [id, outcome] of await deliverMessages(ctx, part)) outcomes.set(id, outcome);
        });
        const errors = new Map(failed.map((f) => [f.item, f.error]));
        return ids.map((id) => (errors.has(id) ? new ItemFailure(errors.get(id)) : outcomes.get(id)));
      },
      { maxBatch, maxInFlight: 2 },
    );
  }

  /**
   * Delivers one message its job was queued for at `queuedDueAt` (epoch ms; absent in older jobs). Answers
   * "run again at" when the message is not due yet and a new job for its due time would carry this job's own id.
   */
  async deliver(messageId: string, queuedDueAt: number | undefined, attempt: { finalAttempt: boolean }): Promise<void | { runAgainAt: Date }> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.batcher.submit(messageId);
    } catch (error) {
      if (isOutage(error) || !(error instanceof Error)) throw error;
      await settlePoison([{ item: messageId, error }], 1, attempt, (poison) => markPoison(this.ctx, poison));
      return;
    }
    if (outcome.type === "contended") throw new Error(`delivery of message ${messageId} lost to concurrent deliveries; retrying`);
    if (outcome.type === "not_due" && outcome.dueAt.getTime() === queuedDueAt) return { runAgainAt: outcome.dueAt };
  }
}
