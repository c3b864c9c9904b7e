/**
 * (4→5) The feedback use case: record it, then let a vote teach the loop at once — auto-pause reviews the
 * voted variant now rather than at the next scheduled review, so a bad variant stops within one vote of
 * crossing its bound.
 */
import type { EngineContext } from "../context";
import type { Message } from "../generated/prisma/client";
import { loadPolicy } from "../policy/policy-store";
import { reviewVariants } from "../experiments/variant-pauses";
import type { FeedbackInput } from "./feedback.schema";
import { recordFeedback } from "./record-feedback";

/** Records feedback on a message; a helpful / not helpful vote also reviews the message's variant. */
export async function submitFeedback(ctx: EngineContext, messageId: string, input: FeedbackInput): Promise<Message> {
  const now = ctx.clock.now();
  const message = await recordFeedback(ctx.prisma, messageId, input, now);
  if (input.type === "helpful" || input.type === "not_helpful") {
    const policy = await loadPolicy(ctx);
    await reviewVariants(ctx.database.pool, policy.autoPause, now, { templateKey: message.templateKey, variant: message.variant });
  }
  return message;
}
