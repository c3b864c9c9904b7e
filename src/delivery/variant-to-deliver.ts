/**
 * The variant a due message goes out with. It was chosen at match time; if staff or auto-pause paused it
 * since, the message switches to the learner's split choice among the variants still active (so a paused
 * variant stops reaching learners at once, not after every queued message has drained), and with none left
 * it is suppressed as `variant.paused`, as matching would have done.
 */
import type { EngineContext } from "../context";
import { loadPausedVariants } from "../experiments/assign-variant";
import { assignSplit } from "../experiments/split";
import { loadTemplateVersion } from "./render-scheduled-message";
import type { ScheduledMessage } from "./scheduled-message";

export type DeliveryVariant = { variant: string; replaces: string | null } | { variant: null; paused: string[] };

export async function variantToDeliver(ctx: EngineContext, message: ScheduledMessage): Promise<DeliveryVariant> {
  if (!message.variantPaused) return { variant: message.variant, replaces: null };
  const paused = await loadPausedVariants(ctx.database.pool, message.templateKey);
  const version = await loadTemplateVersion(ctx, message.templateKey, message.templateVersion);
  const choice = assignSplit(message.learnerId, message.ruleKey, version?.variants.map((v) => ({ key: v.key, weight: v.weight })) ?? [], paused);
  return choice ? { variant: choice.variant, replaces: message.variant } : { variant: null, paused: [...paused].sort() };
}
