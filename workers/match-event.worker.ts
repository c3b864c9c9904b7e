/** (2) The matching worker: one stored event in, messages scheduled out. */
import type { EngineContext } from "../src/context";
import { matchStoredEvent } from "../src/matching/match-stored-event";
import type { JobHandler } from "../src/queue/run-worker";

/** One event (re-enqueued by the sweeper). */
export function matchEventHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    await matchStoredEvent(ctx, (payload as { eventId: string }).eventId);
  };
}

/** The events of one ingest request, in order; a retry skips those already matched. */
export function matchEventsHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    for (const eventId of (payload as { eventIds: string[] }).eventIds) await matchStoredEvent(ctx, eventId);
  };
}
