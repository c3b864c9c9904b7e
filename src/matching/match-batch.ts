/**
 * (2) What a matching job does with its events: match them a chunk at a time (a whole ingest group of the usual
 * size, so per-batch queries are amortized), with poison isolated — an event that fails on its own is retried
 * with the job and, after the last attempt, marked failed on its row while the rest of its chunk is matched.
 */
import type { EngineContext } from "../context";
import { isolateFailures, settlePoison, type ItemFailureReport } from "../queue/isolate-failures";
import { matchStoredEvents } from "./match-stored-event";
import { markEventsMatchFailed } from "./match-failures";

/** Events matched together per database round. */
const CHUNK = 500;

/** Matches the events of one job; a retried job skips the events already matched (matchStoredEvents is idempotent). */
export async function matchEventBatch(ctx: EngineContext, eventIds: string[], attempt: { finalAttempt: boolean }): Promise<void> {
  const failed: Array<ItemFailureReport<string>> = [];
  for (let i = 0; i < eventIds.length; i += CHUNK) {
    failed.push(...(await isolateFailures(eventIds.slice(i, i + CHUNK), (ids) => matchStoredEvents(ctx, ids))));
  }
  await settlePoison(failed, eventIds.length, attempt, async (poison) => {
    const marked = await markEventsMatchFailed(
      ctx.database.pool,
      poison.map((p) => ({ eventId: p.item, error: p.error.message })),
      ctx.clock.now(),
    );
    ctx.metrics.isolatedFailures.inc({ kind: "event" }, marked.length);
    ctx.log.warn({ eventIds: marked, err: poison[0].error.message }, "events failed to match on their own after every attempt: marked failed (GET /v1/operations/failures)");
  });
}
