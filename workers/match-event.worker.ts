/** (2) The matching worker: one stored event in, messages scheduled out. */
import type { EngineContext } from "../src/context";
import { matchStoredEvent } from "../src/matching/match-stored-event";
import type { JobHandler } from "../src/queue/run-worker";

export function matchEventHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    await matchStoredEvent(ctx, (payload as { eventId: string }).eventId);
  };
}
