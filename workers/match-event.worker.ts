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

const IN_FLIGHT = 8;

/** The events of one ingest request, 8 at a time; a retry skips those already matched. */
export function matchEventsHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    const ids = [...(payload as { eventIds: string[] }).eventIds];
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      for (let id = ids.shift(); id !== undefined; id = ids.shift()) await matchStoredEvent(ctx, id);
    }));
  };
}
