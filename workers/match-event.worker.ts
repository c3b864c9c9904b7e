/** (2) The matching worker: stored events in, messages scheduled out (src/matching/match-batch.ts). */
import type { EngineContext } from "../src/context";
import { matchEventBatch } from "../src/matching/match-batch";
import type { QueueHandlers } from "../src/queue/run-worker";

/** Handlers for every job on the match queue. */
export function matchHandlers(ctx: EngineContext): QueueHandlers<"match"> {
  return {
    /** One event (jobs queued before batches existed). */
    matchEvent: ({ eventId }, job) => matchEventBatch(ctx, [eventId], job),
    /** The events of one committed ingest group, or orphans the sweeper found. */
    matchEvents: ({ eventIds }, job) => matchEventBatch(ctx, eventIds, job),
  };
}
