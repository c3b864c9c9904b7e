/**
 * A suppression or deferral record: a rule that matched but was not sent now, with its reason and numbers.
 * Written inside the statements that decide them (write-match-outcome.ts, write-delivery.ts), as
 * `INSERT INTO suppressions (SUPPRESSION_COLUMNS) SELECT s.* FROM ${suppressionRows(n)} …` with the
 * arrays of suppressionArrays(records) as parameters $n … $n+8.
 */
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

export const SUPPRESSION_COLUMNS = "outcome, reason, details, learner_id, course_id, rule_key, event_id, message_id, created_at";

/** The records as a row source `s` over nine array parameters starting at $first. */
export function suppressionRows(first: number): string {
  const types = ["text", "text", "jsonb", "text", "text", "text", "text", "uuid", "timestamptz"];
  return `unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(", ")}) AS s(${SUPPRESSION_COLUMNS})`;
}

/** The nine parameter arrays for suppressionRows. */
export function suppressionArrays(records: SuppressionRecord[]): unknown[] {
  return [
    records.map((r) => r.outcome),
    records.map((r) => r.reason),
    records.map((r) => JSON.stringify(r.details)),
    records.map((r) => r.learnerId),
    records.map((r) => r.courseId),
    records.map((r) => r.ruleKey),
    records.map((r) => r.eventId),
    records.map((r) => r.messageId),
    records.map((r) => r.at),
  ];
}
