/** (2) matchStoredEvent: placeholder until the rule engine lands; marks the event matched. */
import type { EngineContext } from "../context";

export async function matchStoredEvent(ctx: EngineContext, eventId: string): Promise<void> {
  await ctx.database.pool.query(`UPDATE events SET matched_at = $2 WHERE id = $1 AND matched_at IS NULL`, [eventId, ctx.clock.now()]);
}
