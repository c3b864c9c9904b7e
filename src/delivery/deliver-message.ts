/**
 * (3) deliverMessages: due messages in; each delivered, deferred, suppressed or failed out. A batch costs a
 * fixed number of queries however many messages it holds — messages, snapshots, delivery states, one write —
 * plus one query per message only where a policy decision window applies.
 *
 * Two workers delivering to one learner at once can never exceed a cap: decisions read the learner's
 * delivery version with their history, and are written only if that version is unchanged (write-delivery.ts);
 * otherwise they are decided again on the fresh history. Messages of one learner in one batch are decided in
 * due order, each seeing the deliveries decided before it. Every write changes a message only while it is
 * still `scheduled`, so a duplicated or retried job is a no-op.
 */
import type { EngineContext } from "../context";
import { loadPolicyInForce } from "../policy/policy-store";
import { decide } from "../throttle/decide";
import { loadLearnerSnapshots } from "../learners/learner-snapshot";
import type { SuppressionRecord } from "./suppressions";
import { renderScheduledMessage, type RenderOutcome } from "./render-scheduled-message";
import type { Policy } from "../throttle/policy";
import { loadScheduledMessages, type ScheduledMessage } from "./scheduled-message";
import { enqueueDeliveries, type DueDelivery } from "../queue/enqueue-deliveries";
import { withTimeout } from "../queue/connection";
import { publishDeliveries } from "../learners/inbox-notifications";
import { variantToDeliver, type DeliveryVariant } from "./variant-to-deliver";
import { findOutrankingMessage } from "./decision-window";
import { loadDeliveryStates, type AskedRule, type DeliveryState } from "./delivery-state";
import { takeHandedOverStates } from "./delivery-state-handoff";
import { writeDeliveryChanges, type MessageChange } from "./write-delivery";

export type DeliveryOutcome =
  | { type: "delivered" }
  | { type: "deferred"; until: Date; reason: string }
  | { type: "suppressed"; reason: string }
  | { type: "failed"; error: string }
  | { type: "not_due"; dueAt: Date }
  | { type: "skipped"; why: "missing" | "not_scheduled" }
  /** Lost to concurrent deliveries to the same learner MAX_CONFLICTS times; retry later. */
  | { type: "contended" };

/** Rounds lost to a concurrent delivery before giving up on a message (its job is then retried by the queue). */
const MAX_CONFLICTS = 20;

/** Delivers one message if it is still scheduled and due. */
export async function deliverMessage(ctx: EngineContext, messageId: string): Promise<DeliveryOutcome> {
  const outcome = (await deliverMessages(ctx, [messageId])).get(messageId)!;
  if (outcome.type === "contended") throw new Error(`delivery of message ${messageId} lost to concurrent deliveries ${MAX_CONFLICTS} times`);
  return outcome;
}

interface Prepared {
  message: ScheduledMessage;
  timezone: string | null;
  variant: DeliveryVariant;
  /** null when no variant is left to render (all paused). */
  rendered: RenderOutcome | null;
}

/** Delivers the messages that are still scheduled and due; the outcome of each id asked. */
export async function deliverMessages(ctx: EngineContext, messageIds: string[]): Promise<Map<string, DeliveryOutcome>> {
  const now = ctx.clock.now();
  const messages = await loadScheduledMessages(ctx.database.pool, [...new Set(messageIds)]);
  const { outcomes, due } = sortOut(messageIds, messages, now);
  const [policy, prepared] = await Promise.all([loadPolicyInForce(ctx, ctx.config.throttle), prepare(ctx, due, now)]);
  await decideAndWrite(ctx, prepared, policy, outcomes);
  await afterWrites(ctx, messages, outcomes, now);
  return outcomes;
}

/** The outcome of every id that will not be delivered now, and the due messages, earliest first. */
function sortOut(messageIds: string[], messages: Map<string, ScheduledMessage>, now: Date): { outcomes: Map<string, DeliveryOutcome>; due: ScheduledMessage[] } {
  const outcomes = new Map<string, DeliveryOutcome>();
  const due: ScheduledMessage[] = [];
  for (const id of new Set(messageIds)) {
    const message = messages.get(id);
    if (!message) outcomes.set(id, { type: "skipped", why: "missing" });
    else if (message.status !== "scheduled") outcomes.set(id, { type: "skipped", why: "not_scheduled" });
    else if (message.dueAt.getTime() > now.getTime() + 1_000) outcomes.set(id, { type: "not_due", dueAt: message.dueAt });
    else due.push(message);
  }
  // Earlier-due messages first: within a learner, they are decided (and win caps) first.
  due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  return { outcomes, due };
}

/** Each due message rendered with its learner's current data (one snapshot query for all) in the variant it goes out with. */
async function prepare(ctx: EngineContext, due: ScheduledMessage[], now: Date): Promise<Prepared[]> {
  const snapshots = await loadLearnerSnapshots(
    ctx.database.pool,
    due.map((m) => ({ learnerId: m.learnerId, courseId: m.courseId, withoutState: true })),
    now,
  );
  const prepared: Prepared[] = [];
  for (const [i, message] of due.entries()) {
    const variant = await variantToDeliver(ctx, message);
    const rendered = variant.variant === null ? null : await renderScheduledMessage(ctx, { ...message, variant: variant.variant }, snapshots[i]);
    prepared.push({ message, timezone: snapshots[i].learner?.timezone ?? null, variant, rendered });
  }
  return prepared;
}

/**
 * Rounds of: read the learners' states, decide, write under their versions. Learners whose version moved are
 * decided again next round on fresh history; after MAX_CONFLICTS rounds their messages are `contended`.
 * In the first round, a learner whose state matching handed over is decided on it without a read; those
 * decisions are written only if they all deliver (under the version the state was read with), else the
 * learner is decided again next round on a read (delivery-state-handoff.ts says why).
 */
async function decideAndWrite(ctx: EngineContext, prepared: Prepared[], policy: Policy, outcomes: Map<string, DeliveryOutcome>): Promise<void> {
  let pending = prepared;
  for (let round = 0; round < MAX_CONFLICTS && pending.length > 0; round++) {
    // The clock is read again every round: the one before may have lost to another delivery.
    const at = ctx.clock.now();
    const asked = new Map<string, AskedRule[]>();
    for (const { message } of pending) asked.set(message.learnerId, [...(asked.get(message.learnerId) ?? []), { key: message.ruleKey, ...message.rule }]);
    const handedOver = round === 0 && ctx.config.throttle ? takeHandedOverStates(ctx, asked, at) : new Map<string, DeliveryState>();
    const toRead = [...asked].filter(([learnerId]) => !handedOver.has(learnerId));
    const states = new Map<string, DeliveryState>(
      toRead.length === 0
        ? handedOver
        : [
            ...handedOver,
            ...(await loadDeliveryStates(
              ctx.database.pool,
              toRead.map(([learnerId, rules]) => ({ learnerId, rules })),
              at,
              ctx.config.throttle,
            )),
          ],
    );
    const decided: Array<{ prepared: Prepared; change: MessageChange; outcome: DeliveryOutcome }> = [];
    for (const p of pending) decided.push({ prepared: p, ...(await decideOne(ctx, p, policy, states.get(p.message.learnerId)!, at)) });
    // On a handed-over state only deliveries are written (their write checks the version); anything else is decided again on a read.
    const again = new Set(decided.filter((d) => d.outcome.type !== "delivered" && handedOver.has(d.prepared.message.learnerId)).map((d) => d.prepared.message.learnerId));
    const written = again.size === 0 ? decided : decided.filter((d) => !again.has(d.prepared.message.learnerId));
    const versions = new Map([...states].map(([learnerId, state]) => [learnerId, state.version]));
    const { changed, conflicted } = await writeDeliveryChanges(
      ctx.database.pool,
      written.map((d) => d.change),
      versions,
      at,
    );
    pending = [];
    for (const { prepared: p, outcome } of decided) {
      if (conflicted.has(p.message.learnerId) || again.has(p.message.learnerId)) pending.push(p);
      else outcomes.set(p.message.id, changed.has(p.message.id) ? outcome : { type: "skipped", why: "not_scheduled" });
    }
  }
  for (const { message } of pending) outcomes.set(message.id, { type: "contended" });
}

/** Decides one message on its learner's state, and counts a delivery into that state for the learner's next message. */
async function decideOne(
  ctx: EngineContext,
  { message, timezone, variant, rendered }: Prepared,
  policy: Policy,
  state: DeliveryState,
  now: Date,
): Promise<{ change: MessageChange; outcome: DeliveryOutcome }> {
  const record = (outcome: SuppressionRecord["outcome"], reason: string, details: Record<string, unknown>): SuppressionRecord => ({
    outcome,
    reason,
    details,
    learnerId: message.learnerId,
    courseId: message.courseId,
    ruleKey: message.ruleKey,
    eventId: message.eventId,
    messageId: message.id,
    at: now,
  });
  const ids = { messageId: message.id, learnerId: message.learnerId };

  if (message.ruleDisabled) {
    // Checked at delivery, not only at match: messages scheduled before the rule was disabled (a backlog, a
    // delay, a deferral) must not go out after an operator stopped it. A deleted rule keeps them (see loadScheduledMessages).
    return {
      change: { ...ids, status: "suppressed", error: "rule.disabled", record: record("suppressed", "rule.disabled", { ruleKey: message.ruleKey }) },
      outcome: { type: "suppressed", reason: "rule.disabled" },
    };
  }
  const outranked = await findOutrankingMessage(ctx.database.pool, message, policy.decisionWindowMinutes);
  if (outranked) {
    const details = { winner: outranked.ruleKey, winnerPriority: outranked.priority, winnerMessageId: outranked.messageId, priority: message.priority, windowMinutes: policy.decisionWindowMinutes };
    return { change: { ...ids, status: "suppressed", error: "lower_priority", record: record("suppressed", "lower_priority", details) }, outcome: { type: "suppressed", reason: "lower_priority" } };
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
    const change: MessageChange = { ...ids, status: "scheduled", dueAt: decision.until, record: record("deferred", decision.reason, { ...decision.details, until: decision.until.toISOString() }) };
    return { change, outcome: { type: "deferred", until: decision.until, reason: decision.reason } };
  }
  if (decision.type === "suppress") {
    const status = decision.reason === "expired" ? "expired" : "suppressed";
    return { change: { ...ids, status, error: decision.reason, record: record("suppressed", decision.reason, decision.details) }, outcome: { type: "suppressed", reason: decision.reason } };
  }
  if (variant.variant === null || !rendered) {
    const details = { templateKey: message.templateKey, paused: variant.variant === null ? variant.paused : [] };
    return { change: { ...ids, status: "suppressed", error: "variant.paused", record: record("suppressed", "variant.paused", details) }, outcome: { type: "suppressed", reason: "variant.paused" } };
  }
  if (!rendered.ok) {
    // A template that cannot render will not render on retry either: fail it, keep the error, move on.
    return { change: { ...ids, status: "failed", error: rendered.error, record: null }, outcome: { type: "failed", error: rendered.error } };
  }
  // A variant paused since matching was replaced: the message says so, and which it replaced.
  const assignmentPatch = variant.replaces ? { replacedAtDelivery: { variant: variant.replaces, reason: "variant.paused" } } : null;
  state.history.unshift({ ruleKey: message.ruleKey, deliveredAt: now, seenAt: null, dismissedAt: null, vote: null, respondedAt: null });
  const content = { title: rendered.title, body: rendered.body, cta: rendered.cta, variant: variant.variant, assignmentPatch };
  return { change: { ...ids, status: "delivered", content, record: null }, outcome: { type: "delivered" } };
}

/** Metrics, inbox notifications, and re-enqueued jobs for deferred and not-yet-due messages. */
async function afterWrites(ctx: EngineContext, messages: Map<string, ScheduledMessage>, outcomes: Map<string, DeliveryOutcome>, now: Date): Promise<void> {
  const delivered: ScheduledMessage[] = [];
  const later: DueDelivery[] = [];
  for (const [id, outcome] of outcomes) {
    if (outcome.type === "delivered") delivered.push(messages.get(id)!);
    else if (outcome.type === "deferred") later.push({ messageId: id, dueAt: outcome.until });
    else if (outcome.type === "not_due") later.push({ messageId: id, dueAt: outcome.dueAt });
    if (outcome.type === "delivered" || outcome.type === "deferred" || outcome.type === "suppressed" || outcome.type === "failed") ctx.metrics.messages.inc({ outcome: outcome.type });
  }
  // Bounded: a pipeline caught by a Redis crash can stay pending forever, and would hold this batch (and its job) with it.
  await withTimeout(
    publishDeliveries(
      ctx.queues.connection,
      ctx.queues.prefix,
      delivered.map((m) => ({ learnerId: m.learnerId, messageId: m.id })),
    ),
    1_000,
    "delivery notifications",
  ).catch(() => undefined);
  await enqueueDeliveries(ctx, later, now);
}
