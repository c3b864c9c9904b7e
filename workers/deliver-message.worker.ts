/** (3) The delivery worker: one due message in, a delivered, deferred, suppressed or failed message out. */
import type { EngineContext } from "../src/context";
import { deliverMessage } from "../src/delivery/deliver-message";
import type { JobHandler } from "../src/queue/run-worker";

export function deliverMessageHandler(ctx: EngineContext): JobHandler {
  return async (payload) => {
    await deliverMessage(ctx, (payload as { messageId: string }).messageId);
  };
}
