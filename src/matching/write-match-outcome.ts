/**
 * A match's outcome as one SQL statement — atomic like a transaction, but one round trip instead of five
 * (BEGIN, claim, message, suppressions, COMMIT), on the path every event takes. Data-modifying CTEs all run
 * or none do; each write is conditioned on the claim, so a matcher that lost the race writes nothing.
 */
import type { Pool } from "pg";
import { SUPPRESSION_COLUMNS, suppressionArrays, suppressionRows, type SuppressionRecord } from "../delivery/suppressions";

export interface MessageRow {
  id: string;
  dedupeKey: string;
  learnerId: string;
  courseId: string | null;
  moduleId: string | null;
  eventId: string | null;
  ruleKey: string;
  templateKey: string;
  templateVersion: number;
  variant: string;
  assignment: Record<string, unknown>;
  kind: string;
  essential: boolean;
  status: "scheduled" | "held_out";
  responseSpec: unknown;
  segmentKey: string | null;
  priority: number;
  dueAt: Date;
  createdAt: Date;
  expiresAt: Date | null;
}

/**
 * Claims the event (an inactivity spell, eventId null, needs no claim), inserts the message unless its dedupe
 * key exists, and records the suppressions; a deferral record for the message is written only with it.
 */
export async function writeMatchOutcome(pool: Pool, eventId: string | null, now: Date, message: MessageRow | null, records: SuppressionRecord[]): Promise<{ claimed: boolean; messageId: string | null }> {
  const m = message;
  const { rows } = await pool.query<{ claimed: boolean; id: string | null }>(
    `WITH claim AS (
       UPDATE events SET matched_at = $2 WHERE id = $1 AND matched_at IS NULL RETURNING id
     ), go AS (
       SELECT 1 AS ok WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM claim)
     ), message AS (
       INSERT INTO messages (id, dedupe_key, learner_id, course_id, module_id, event_id, rule_key, template_key, template_version,
                             variant, assignment, kind, essential, status, response_spec, segment_key, priority, due_at, created_at, expires_at)
       SELECT $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::"MessageKind", $15, $16::"MessageStatus", $17::jsonb, $18, $19, $20, $21, $22
         FROM go WHERE $3::uuid IS NOT NULL
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
     ), suppressed AS (
       INSERT INTO suppressions (${SUPPRESSION_COLUMNS})
       SELECT s.* FROM ${suppressionRows(23)}
        WHERE EXISTS (SELECT 1 FROM go) AND (s.message_id IS NULL OR s.message_id IN (SELECT id FROM message))
     )
     SELECT EXISTS (SELECT 1 FROM go) AS claimed, (SELECT id FROM message) AS id`,
    [
      eventId, now,
      m?.id ?? null, m?.dedupeKey ?? null, m?.learnerId ?? null, m?.courseId ?? null, m?.moduleId ?? null, m?.eventId ?? null, m?.ruleKey ?? null,
      m?.templateKey ?? null, m?.templateVersion ?? null, m?.variant ?? null, m ? JSON.stringify(m.assignment) : null, m?.kind ?? null,
      m?.essential ?? null, m?.status ?? null, m?.responseSpec ? JSON.stringify(m.responseSpec) : null, m?.segmentKey ?? null, m?.priority ?? null,
      m?.dueAt ?? null, m?.createdAt ?? null, m?.expiresAt ?? null,
      ...suppressionArrays(records),
    ],
  );
  return { claimed: rows[0].claimed, messageId: rows[0].id };
}
