/**
 * Decision reasons in words for the analyst views: the engine's own wording (src/learners/decision-reasons.ts,
 * which the timeline API also answers with), bundled here so the suppression tables say the same thing.
 */
export { describeReason } from "../../../../../src/learners/decision-reasons";

/** A short label for a reason code, for table rows and chart lines ("cap.day" → "Daily cap"). */
const SHORT: Record<string, string> = {
  "cap.day": "Daily cap",
  "cap.week": "Weekly cap",
  min_gap: "Minimum gap",
  cooldown: "Rule cooldown",
  max_per_learner: "Rule's limit per learner",
  quiet_hours: "Quiet hours",
  "adaptive.backoff": "Backoff after dismissals",
  "variant.paused": "Variants paused",
  segment: "Not in segment",
  lower_priority: "Lost to a higher priority rule",
  gate: "Helpfulness gate",
  "template.unpublished": "Template not published",
  "preferences.opted_out": "Learner opted out",
  "preferences.snoozed": "Learner snoozed",
  expired: "Expired",
  holdout: "Holdout",
  failed: "Failed",
};

/** "Daily cap (cap.day)": words first, the code for those who search logs or SQL by it. */
export function reasonLabel(reason: string): string {
  return SHORT[reason] ? `${SHORT[reason]} (${reason})` : reason;
}
