/**
 * Why the engine did not (or not yet) send a message, in words an analyst or a support agent can read out to
 * a course team. Keyed by the reason codes the engine records: the throttle's (throttle/decide.ts), the
 * matcher's (matching/judge-rule.ts, plan-nudge.ts, match-stored-event.ts), delivery's, and `holdout` for a
 * held-out slot. The record's own `details.explanation` adds the numbers (e.g. "3 of 3 delivered today").
 */

export const DECISION_REASONS: Record<string, string> = {
  "cap.day": "Daily cap reached: the learner already had as many messages today (in their time zone) as the policy allows",
  "cap.week": "Weekly cap reached: the learner already had as many messages this week as the policy allows",
  min_gap: "Too soon after the learner's previous message (the policy's minimum gap)",
  cooldown: "This rule reached the learner recently and is cooling down",
  max_per_learner: "This rule already reached the learner as many times as it may",
  quiet_hours: "Inside the learner's quiet hours",
  "adaptive.backoff": "The learner dismissed several messages in a row, so nudges are paused for a while",
  "variant.paused": "The template's variants are paused for low helpfulness, so there was nothing to send",
  segment: "The learner is not in the rule's segment",
  lower_priority: "Another rule with a higher priority won for the same moment (one nudge at a time)",
  gate: "The helpfulness gate predicted this message would not help this learner",
  "template.unpublished": "The rule's template has no published version",
  "preferences.opted_out": "The learner opted out of this kind of message",
  "preferences.snoozed": "The learner snoozed coaching",
  expired: "The message expired before it could be sent",
  "rule.disabled": "The rule was disabled after this message was scheduled, so it was not sent",
  holdout: "Held out on purpose: the learner is in the rule's holdout group, which measures whether the nudge helps",
  failed: "The message could not be rendered or delivered",
};

/** The reason in words; an unknown code (a newer engine's) is shown as itself rather than hidden. */
export function describeReason(reason: string): string {
  return DECISION_REASONS[reason] ?? `Reason: ${reason}`;
}
