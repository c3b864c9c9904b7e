/**
 * (3) deliverMessage: a due message in; delivered, deferred, suppressed or failed out. Decided under a
 * per-learner transaction lock, so two workers delivering to one learner at once can never exceed a cap:
 * the second sees the first's delivery. Handlers reload and change status conditionally, so a duplicated
 * or retried job is a no-op.
 */
import type { PoolClient } from "pg";
import type { EngineContext } from "../context";
import { loadPolicyInForce } from "../policy/policy-store";
import { withTransaction } from "../db/transaction";
import { decide } from "../throttle/decide";
import { loadLearnerSnapshot } from "../learners/learner-snapshot";
import { loadPreferences, loadThrottleHistory } from "./learner-history";
import { recordSuppressions } from "./suppressions";
import { renderScheduledMessage, type RenderOutcome } from "./render-scheduled-message";
import type { Policy } from "../throttle/policy";
import { loadScheduledMessage, type ScheduledMessage } from "./scheduled-message";
import { enqueueDelivery } from "../matching/schedule-message";
import { publishDelivered } from "../learners/inbox-notifications";
import { variantToDeliver, type DeliveryVariant } from "./variant-to-deliver";
import { findOutrankingMessage } from "./decision-window";

export type DeliveryOutcome =
  | { type: "delivered" }
  | { type: "deferred"; until: Date; reason: string }
  | { type: "suppressed"; reason: string }
  | { type: "failed"; error: string }
  | { type: "not_due"; dueAt: Date }
  | { type: "skipped"; why: "missing" | "not_scheduled" };

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
  // Everything that needs no lock is read first: a transaction holding the learner's lock must never wait
  // for a second pooled connection, or concurrent deliveries to one learner could exhaust the pool.
  const [policy, snapshot] = await Promise.all([loadPolicyInForce(ctx.prisma, ctx.config.throttle), loadLearnerSnapshot(ctx.database.pool, message.learnerId, message.courseId, now)]);
  const variant = await variantToDeliver(ctx, message);
  const rendered = variant.variant === null ? null : await renderScheduledMessage(ctx, { ...message, variant: variant.variant }, snapshot);
  const prepared = { message, policy, timezone: snapshot.learner?.timezone ?? null, variant, rendered, throttle: ctx.config.throttle };
  const outcome = await withTransaction(ctx.database.pool, async (client): Promise<DeliveryOutcome> => {
    // The per-learner lock: every delivery decision for this learner is serialized from here to COMMIT.
    // With the throttle off there is no cap to protect, so deliveries to one learner need not queue.
    if (prepared.throttle) await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, [`learner:${message.learnerId}`]);
    const status = await client.query<{ status: string }>(`SELECT status FROM messages WHERE id = $1 FOR UPDATE`, [messageId]);
    if (status.rows[0]?.status !== "scheduled") return { type: "skipped", why: "not_scheduled" };
    // Read the clock again under the lock: waiting for it may have taken a while.
    return decideAndWrite(client, prepared, ctx.clock.now());
  });
  await afterCommit(ctx, message, outcome, now);
  return outcome;
}

interface Prepared {
  message: ScheduledMessage;
  policy: Policy;
  timezone: string | null;
  variant: DeliveryVariant;
  /** null when no variant is left to render (all paused). */
  rendered: RenderOutcome | null;
  throttle: boolean;
}

async function decideAndWrite(client: PoolClient, { message, policy, timezone, variant, rendered, throttle }: Prepared, now: Date): Promise<DeliveryOutcome> {
  const [history, preferences] = await Promise.all([loadThrottleHistory(client, throttle, message.learnerId, message.ruleKey, now), loadPreferences(client, message.learnerId)]);
  const decision = decide({
    now,
    policy,
    learner: { timezone },
    message: { ruleKey: message.ruleKey, kind: message.kind, essential: message.essential, expiresAt: message.expiresAt },
    rule: { cooldownHours: message.rule.cooldownHours, maxPerLearner: message.rule.maxPerLearner },
    history,
    preferences,
  });
  const base = { learnerId: message.learnerId, courseId: message.courseId, ruleKey: message.ruleKey, eventId: message.eventId, messageId: message.id, at: now };
  const outranked = await findOutrankingMessage(client, message, policy.decisionWindowMinutes);
  if (outranked) {
    await client.query(`UPDATE messages SET status = 'suppressed', error = 'lower_priority' WHERE id = $1`, [message.id]);
    await recordSuppressions(client, [{ ...base, outcome: "suppressed", reason: "lower_priority", details: {
      winner: outranked.ruleKey, winnerPriority: outranked.priority, winnerMessageId: outranked.messageId, priority: message.priority, windowMinutes: policy.decisionWindowMinutes,
    } }]);
    return { type: "suppressed", reason: "lower_priority" };
  }
  if (decision.type === "defer") {
    await client.query(`UPDATE messages SET due_at = $2 WHERE id = $1`, [message.id, decision.until]);
    await recordSuppressions(client, [{ ...base, outcome: "deferred", reason: decision.reason, details: { ...decision.details, until: decision.until.toISOString() } }]);
    return { type: "deferred", until: decision.until, reason: decision.reason };
  }
  if (decision.type === "suppress") {
    const status = decision.reason === "expired" ? "expired" : "suppressed";
    await client.query(`UPDATE messages SET status = $2::"MessageStatus", error = $3 WHERE id = $1`, [message.id, status, decision.reason]);
    await recordSuppressions(client, [{ ...base, outcome: "suppressed", reason: decision.reason, details: decision.details }]);
    return { type: "suppressed", reason: decision.reason };
  }
  if (variant.variant === null || !rendered) {
    await client.query(`UPDATE messages SET status = 'suppressed', error = 'variant.paused' WHERE id = $1`, [message.id]);
    await recordSuppressions(client, [{ ...base, outcome: "suppressed", reason: "variant.paused", details: { templateKey: message.templateKey, paused: variant.variant === null ? variant.paused : [] } }]);
    return { type: "suppressed", reason: "variant.paused" };
  }
  if (!rendered.ok) {
    // A template that cannot render will not render on retry either: fail it, keep the error, move on.
    await client.query(`UPDATE messages SET status = 'failed', error = $2, attempts = attempts + 1 WHERE id = $1`, [message.id, rendered.error]);
    return { type: "failed", error: rendered.error };
  }
  // A variant paused since matching was replaced: the message says so, and which it replaced.
  const replaced = variant.replaces ? JSON.stringify({ replacedAtDelivery: { variant: variant.replaces, reason: "variant.paused" } }) : null;
  await client.query(
    `UPDATE messages SET status = 'delivered', delivered_at = $2, title = $3, body = $4, cta = $5, attempts = attempts + 1,
            variant = $6, assignment = CASE WHEN $7::jsonb IS NULL THEN assignment ELSE assignment || $7::jsonb END
      WHERE id = $1`,
    [message.id, now, rendered.title, rendered.body, rendered.cta ? JSON.stringify(rendered.cta) : null, variant.variant, replaced],
  );
  return { type: "delivered" };
}

async function afterCommit(ctx: EngineContext, message: ScheduledMessage | null, outcome: DeliveryOutcome, now: Date): Promise<void> {
  if (!message) return;
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
