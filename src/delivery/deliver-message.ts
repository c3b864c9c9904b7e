/**
 * (3) deliverMessage: a due message in; delivered, deferred, suppressed or failed out. Two workers delivering
 * to one learner at once can never exceed a cap: the decision reads the learner's delivery version with their
 * history, and the delivery is written only if that version is unchanged (write-delivery.ts); otherwise it is
 * decided again on the fresh history. Every write changes the message only while it is still `scheduled`, so
 * a duplicated or retried job is a no-op.
 */
import type { EngineContext } from "../context";
import { loadPolicyInForce } from "../policy/policy-store";
import { decide } from "../throttle/decide";
import { loadLearnerSnapshot } from "../learners/learner-snapshot";
import type { SuppressionRecord } from "./suppressions";
import { renderScheduledMessage, type RenderOutcome } from "./render-scheduled-message";
import type { Policy } from "../throttle/policy";
import { loadScheduledMessage, type ScheduledMessage } from "./scheduled-message";
import { enqueueDelivery } from "../matching/schedule-message";
import { publishDelivered } from "../learners/inbox-notifications";
import { variantToDeliver, type DeliveryVariant } from "./variant-to-deliver";
import { findOutrankingMessage } from "./decision-window";
import { loadDeliveryState, type DeliveryState } from "./delivery-state";
import { writeDelivered, writeNotDelivered, type WriteResult } from "./write-delivery";

export type DeliveryOutcome =
  | { type: "delivered" }
  | { type: "deferred"; until: Date; reason: string }
  | { type: "suppressed"; reason: string }
  | { type: "failed"; error: string }
  | { type: "not_due"; dueAt: Date }
  | { type: "skipped"; why: "missing" | "not_scheduled" };

/** Decisions lost to a concurrent delivery before giving up (the job is then retried by the queue). */
const MAX_CONFLICTS = 20;

/** Delivers one message if it is still scheduled and due. */
export async function deliverMessage(ctx: EngineContext, messageId: string): Promise<DeliveryOutcome> {
  const now = ctx.clock.now();
  const message = await loadScheduledMessage(ctx.database.pool, messageId);
  if (!message) return { type: "skipped", why: "missing" };
  if (message.status !== "scheduled") return { type: "skipped", why: "not_scheduled" };
  if (message.dueAt.getTime() > now.getTime() + 1_000) {
    await enqueueDelivery(ctx, message.id, message.dueAt.getTime() - now.getTime());
    return { type: "not_due", dueAt: message.dueAt };
  }
  const [policy, snapshot] = await Promise.all([loadPolicyInForce(ctx.prisma, ctx.config.throttle), loadLearnerSnapshot(ctx.database.pool, message.learnerId, message.courseId, now)]);
  const variant = await variantToDeliver(ctx, message);
  const rendered = variant.variant === null ? null : await renderScheduledMessage(ctx, { ...message, variant: variant.variant }, snapshot);
  const prepared: Prepared = { message, policy, timezone: snapshot.learner?.timezone ?? null, variant, rendered };
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
    // The clock is read again on every attempt: the one before may have lost to another delivery.
    const at = ctx.clock.now();
    const state = await loadDeliveryState(ctx.database.pool, message.learnerId, message.ruleKey, at, ctx.config.throttle);
    const outcome = await decideAndWrite(ctx, prepared, state, at);
    if (outcome === "conflict") continue;
    await afterWrite(ctx, message, outcome, now);
    return outcome;
  }
  throw new Error(`delivery of message ${message.id} lost to concurrent deliveries ${MAX_CONFLICTS} times`);
}

interface Prepared {
  message: ScheduledMessage;
  policy: Policy;
  timezone: string | null;
  variant: DeliveryVariant;
  /** null when no variant is left to render (all paused). */
  rendered: RenderOutcome | null;
}

async function decideAndWrite(ctx: EngineContext, { message, policy, timezone, variant, rendered }: Prepared, state: DeliveryState, now: Date): Promise<DeliveryOutcome | "conflict"> {
  const pool = ctx.database.pool;
  const record = (outcome: SuppressionRecord["outcome"], reason: string, details: Record<string, unknown>): SuppressionRecord => ({
    outcome, reason, details, learnerId: message.learnerId, courseId: message.courseId, ruleKey: message.ruleKey, eventId: message.eventId, messageId: message.id, at: now,
  });
  const settled = (result: WriteResult, outcome: DeliveryOutcome): DeliveryOutcome | "conflict" =>
    result === "written" ? outcome : result === "conflict" ? "conflict" : { type: "skipped", why: "not_scheduled" };

  const outranked = await findOutrankingMessage(pool, message, policy.decisionWindowMinutes);
  if (outranked) {
    const details = { winner: outranked.ruleKey, winnerPriority: outranked.priority, winnerMessageId: outranked.messageId, priority: message.priority, windowMinutes: policy.decisionWindowMinutes };
    return settled(await writeNotDelivered(pool, message.id, { status: "suppressed", error: "lower_priority" }, record("suppressed", "lower_priority", details)), { type: "suppressed", reason: "lower_priority" });
  }
  const decision = decide({
    now,
    policy,
    learner: { timezone },
    message: { ruleKey: message.ruleKey, kind: message.kind, essential: message.essential, expiresAt: message.expiresAt },
    rule: { cooldownHours: message.rule.cooldownHours, maxPerLearner: message.rule.maxPerLearner },
    history: state.history,
    preferences: state.preferences,
  });
  if (decision.type === "defer") {
    const written = await writeNotDelivered(pool, message.id, { status: "scheduled", dueAt: decision.until }, record("deferred", decision.reason, { ...decision.details, until: decision.until.toISOString() }));
    return settled(written, { type: "deferred", until: decision.until, reason: decision.reason });
  }
  if (decision.type === "suppress") {
    const status = decision.reason === "expired" ? "expired" : "suppressed";
    return settled(await writeNotDelivered(pool, message.id, { status, error: decision.reason }, record("suppressed", decision.reason, decision.details)), { type: "suppressed", reason: decision.reason });
  }
  if (variant.variant === null || !rendered) {
    const details = { templateKey: message.templateKey, paused: variant.variant === null ? variant.paused : [] };
    return settled(await writeNotDelivered(pool, message.id, { status: "suppressed", error: "variant.paused" }, record("suppressed", "variant.paused", details)), { type: "suppressed", reason: "variant.paused" });
  }
  if (!rendered.ok) {
    // A template that cannot render will not render on retry either: fail it, keep the error, move on.
    return settled(await writeNotDelivered(pool, message.id, { status: "failed", error: rendered.error }, null), { type: "failed", error: rendered.error });
  }
  // A variant paused since matching was replaced: the message says so, and which it replaced.
  const assignmentPatch = variant.replaces ? { replacedAtDelivery: { variant: variant.replaces, reason: "variant.paused" } } : null;
  const written = await writeDelivered(pool, message.id, message.learnerId, state.version, { title: rendered.title, body: rendered.body, cta: rendered.cta, variant: variant.variant, assignmentPatch }, now);
  return settled(written, { type: "delivered" });
}

async function afterWrite(ctx: EngineContext, message: ScheduledMessage, outcome: DeliveryOutcome, now: Date): Promise<void> {
  if (outcome.type === "delivered") {
    ctx.metrics.messages.inc({ outcome: "delivered" });
    await publishDelivered(ctx.queues.connection, ctx.queues.prefix, message.learnerId, message.id).catch(() => undefined);
  } else if (outcome.type === "deferred") {
    ctx.metrics.messages.inc({ outcome: "deferred" });
    await enqueueDelivery(ctx, message.id, outcome.until.getTime() - now.getTime());
  } else if (outcome.type === "suppressed" || outcome.type === "failed") {
    ctx.metrics.messages.inc({ outcome: outcome.type });
  }
}
