/** (2) The matching worker: one stored event in, messages scheduled out. */
import type { EngineContext } from "../src/context";
import { matchStoredEvent, matchStoredEvents } from "../src/matching/match-stored-event";
import type { JobHandler } from "../src/queue/run-worker";

/** One event (re-enqueued by the sweeper). */
export function matchEventHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    await matchStoredEvent(ctx, (payload as { eventId: string }).eventId);
  };
}

/**
 * Events matched together per database round: a whole ingest group of the usual size, so per-batch queries
 * are amortized; a retried job skips the chunks already matched.
 */
const CHUNK = 500;

/** The events of one committed ingest group, a chunk at a time. */
export function matchEventsHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    const ids = (payload as { eventIds: string[] }).eventIds;
    for (let i = 0; i < ids.length; i += CHUNK) await matchStoredEvents(ctx, ids.slice(i, i + CHUNK));
  };
}
