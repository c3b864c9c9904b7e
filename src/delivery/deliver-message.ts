/** (3) deliverMessage: placeholder until delivery lands. */
import type { EngineContext } from "../context";

export async function deliverMessage(_ctx: EngineContext, _messageId: string): Promise<void> {}
