/**
 * A batch of match outcomes as one SQL statement — atomic like a transaction, but one round trip for a whole
 * batch of events instead of five per event (BEGIN, claim, message, suppressions, COMMIT). Data-modifying
 * CTEs all run or none do; each event's writes are conditioned on its claim, so for an event two matchers
 * raced for, the loser writes nothing.
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

export interface MatchOutcome {
  /** The event the outcome answers (null: an inactivity spell, which needs no claim). */
  eventId: string | null;
  message: MessageRow | null;
  records: SuppressionRecord[];
}

const MESSAGE_COLUMNS: Array<[keyof MessageRow, string, string]> = [
  ["id", "id", "uuid"],
  ["dedupeKey", "dedupe_key", "text"],
  ["learnerId", "learner_id", "text"],
  ["courseId", "course_id", "text"],
  ["moduleId", "module_id", "text"],
  ["eventId", "event_id", "text"],
  ["ruleKey", "rule_key", "text"],
  ["templateKey", "template_key", "text"],
  ["templateVersion", "template_version", "int"],
  ["variant", "variant", "text"],
  ["assignment", "assignment", "jsonb"],
  ["kind", "kind", '"MessageKind"'],
  ["essential", "essential", "boolean"],
  ["status", "status", '"MessageStatus"'],
  ["responseSpec", "response_spec", "jsonb"],
  ["segmentKey", "segment_key", "text"],
  ["priority", "priority", "int"],
  ["dueAt", "due_at", "timestamptz"],
  ["createdAt", "created_at", "timestamptz"],
  ["expiresAt", "expires_at", "timestamptz"],
];
const SUPPRESSION_PARAM = MESSAGE_COLUMNS.length + 3;

/**
 * Writes a batch of outcomes in one statement: claims the events (inactivity spells need no claim), inserts
 * each message whose event was claimed here unless its dedupe key exists, and records the suppressions of
 * claimed events; a deferral record for a message is written only with it. Returns what was claimed and inserted.
 */
export async function writeMatchOutcomes(pool: Pool, now: Date, outcomes: MatchOutcome[]): Promise<{ claimed: Set<string>; messageIds: Set<string> }> {
  const messages = outcomes.flatMap((o) => (o.message ? [o.message] : []));
  const columns = MESSAGE_COLUMNS.map(([, column]) => column).join(", ");
  const { rows } = await pool.query<{ claimed: string[] | null; ids: string[] | null }>(
    `WITH claim AS (
       UPDATE events SET matched_at = $2 WHERE id = ANY($1::text[]) AND matched_at IS NULL RETURNING id
     ), message AS (
       INSERT INTO messages (${columns})
       SELECT m.*
         FROM unnest(${MESSAGE_COLUMNS.map(([, , type], i) => `$${i + 3}::${type}[]`).join(", ")}) AS m(${columns})
        WHERE m.event_id IS NULL OR m.event_id IN (SELECT id FROM claim)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
     ), suppressed AS (
       INSERT INTO suppressions (${SUPPRESSION_COLUMNS})
       SELECT s.* FROM ${suppressionRows(SUPPRESSION_PARAM)}
        WHERE (s.event_id IS NULL OR s.event_id IN (SELECT id FROM claim)) AND (s.message_id IS NULL OR s.message_id IN (SELECT id FROM message))
     )
     SELECT (SELECT array_agg(id) FROM claim) AS claimed, (SELECT array_agg(id) FROM message) AS ids`,
    [
      outcomes.flatMap((o) => (o.eventId ? [o.eventId] : [])),
      now,
      ...MESSAGE_COLUMNS.map(([field, , type]) => messages.map((m) => (type === "jsonb" ? (m[field] == null ? null : JSON.stringify(m[field])) : m[field]))),
      ...suppressionArrays(outcomes.flatMap((o) => o.records)),
    ],
  );
  return { claimed: new Set(rows[0].claimed ?? []), messageIds: new Set(rows[0].ids ?? []) };
}
