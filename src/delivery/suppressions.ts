/** Writes suppression and deferral records: every rule that matched but was not sent now, with its reason and numbers. */
import type { Pool, PoolClient } from "pg";

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

/** Inserts the records in one statement. */
export async function recordSuppressions(db: Pool | PoolClient, records: SuppressionRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.query(
    `INSERT INTO suppressions (outcome, reason, details, learner_id, course_id, rule_key, event_id, message_id, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::timestamptz[])`,
    [
      records.map((r) => r.outcome),
      records.map((r) => r.reason),
      records.map((r) => JSON.stringify(r.details)),
      records.map((r) => r.learnerId),
      records.map((r) => r.courseId),
      records.map((r) => r.ruleKey),
      records.map((r) => r.eventId),
      records.map((r) => r.messageId),
      records.map((r) => r.at),
    ],
  );
}
