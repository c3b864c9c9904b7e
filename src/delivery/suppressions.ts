/** A suppression or deferral record: a rule that matched but was not sent now, with its reason and numbers. */
export interface SuppressionRecord {
  outcome: "suppressed" | "deferred";
  reason: string;
  details: Record<string, unknown>;
  learnerId: string;
  courseId: string | null;
  ruleKey: string | null;
  eventId: string | null;
  messageId: string | null;
  at: Date;
}
