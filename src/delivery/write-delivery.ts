/**
 * A batch of delivery decisions written as one statement. Each message changes only while it is still
 * `scheduled` (a duplicated or retried job is a no-op), and its suppression or deferral record is written
 * with it.
 *
 * A learner who gets a delivery in the batch has their delivery version bumped, but only from the value the
 * decisions read: if another worker delivered to them in between, the bump finds a different value and none
 * of that learner's decisions are written (they were made on stale history); the caller decides them again.
 * Concurrent bumps of one learner's row queue on its row lock, and the loser re-checks the condition against
 * the winner's committed value, so two deliveries can never both be decided on the same history — a cap can
 * never be exceeded. Learners with no delivery in the batch are written unconditionally: a suppression or a
 * deferral can only be made stale in the safe direction.
 */
import type { Pool } from "pg";
import { SUPPRESSION_COLUMNS, suppressionArrays, suppressionRows, type SuppressionRecord } from "./suppressions";

export interface DeliveredContent {
  title: string;
  body: string;
  cta: unknown;
  variant: string;
  /** Merged into messages.assignment (e.g. a variant replaced at delivery); null for none. */
  assignmentPatch: Record<string, unknown> | null;
}

/** One message's decided change: delivered with content, or a new status (defer: still scheduled, later). */
export type MessageChange =
  | { messageId: string; learnerId: string; status: "delivered"; content: DeliveredContent; record: null }
  | { messageId: string; learnerId: string; status: "scheduled" | "suppressed" | "expired" | "failed"; dueAt?: Date; error?: string; record: SuppressionRecord | null };

export interface WriteResults {
  /** Messages changed (the others were no longer scheduled, or their learner conflicted). */
  changed: Set<string>;
  /** Learners whose version moved since it was read: none of their changes were written. */
  conflicted: Set<string>;
}

/**
 * Writes the changes; `versions` holds each learner's delivery version as the decisions read it (null:
 * unchecked, the throttle is off).
 */
export async function writeDeliveryChanges(pool: Pool, changes: MessageChange[], versions: Map<string, string | null>, now: Date): Promise<WriteResults> {
  if (changes.length === 0) return { changed: new Set(), conflicted: new Set() };
  const delivering = new Set(changes.filter((c) => c.status === "delivered").map((c) => c.learnerId));
  const learners = [...new Set(changes.map((c) => c.learnerId))];
  const checked = learners.filter((id) => delivering.has(id) && (versions.get(id) ?? null) !== null);
  const delivered = (c: MessageChange) => (c.status === "delivered" ? c.content : null);
  const { rows } = await pool.query<{ cleared: string[] | null; changed: string[] | null }>(
    `WITH checked AS (
       SELECT * FROM unnest($1::text[], $2::bigint[]) AS t(learner_id, expected)
     ), bumped AS (
       -- A first delivery (no row yet) read version 0 and inserts 1; a concurrent first delivery conflicts on
       -- the key, waits for the winner's commit, and then fails the version check like any other loser.
       INSERT INTO learner_delivery_versions AS v (learner_id, version)
       SELECT learner_id, expected + 1 FROM checked
       ON CONFLICT (learner_id) DO UPDATE SET version = EXCLUDED.version WHERE v.version = EXCLUDED.version - 1
       RETURNING learner_id
     ), cleared AS (
       SELECT learner_id FROM unnest($3::text[]) AS u(learner_id) WHERE learner_id NOT IN (SELECT learner_id FROM checked)
       UNION ALL SELECT learner_id FROM bumped
     ), change AS (
       SELECT * FROM unnest($4::uuid[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::text[], $13::jsonb[])
         AS c(id, learner_id, status, due_at, error, title, body, cta, variant, patch)
     ), changed AS (
       UPDATE messages m SET status = c.status::"MessageStatus", due_at = COALESCE(c.due_at, m.due_at), error = COALESCE(c.error, m.error),
              delivered_at = CASE WHEN c.status = 'delivered' THEN $14 ELSE m.delivered_at END,
              failed_at = CASE WHEN c.status = 'failed' THEN $14 ELSE m.failed_at END,
              title = CASE WHEN c.status = 'delivered' THEN c.title ELSE m.title END,
              body = CASE WHEN c.status = 'delivered' THEN c.body ELSE m.body END,
              cta = CASE WHEN c.status = 'delivered' THEN c.cta ELSE m.cta END,
              variant = COALESCE(c.variant, m.variant),
              assignment = CASE WHEN c.patch IS NULL THEN m.assignment ELSE m.assignment || c.patch END,
              attempts = m.attempts + CASE WHEN c.status IN ('delivered', 'failed') THEN 1 ELSE 0 END
         FROM change c
        WHERE m.id = c.id AND m.status = 'scheduled' AND c.learner_id IN (SELECT learner_id FROM cleared)
       RETURNING m.id
     ), recorded AS (
       INSERT INTO suppressions (${SUPPRESSION_COLUMNS})
       SELECT s.* FROM ${suppressionRows(15)} WHERE s.message_id IN (SELECT id FROM changed)
     )
     SELECT (SELECT array_agg(learner_id) FROM cleared) AS cleared, (SELECT array_agg(id) FROM changed) AS changed`,
    [
      checked,
      checked.map((id) => versions.get(id)),
      learners,
      changes.map((c) => c.messageId),
      changes.map((c) => c.learnerId),
      changes.map((c) => c.status),
      changes.map((c) => (c.status === "delivered" ? null : (c.dueAt ?? null))),
      changes.map((c) => (c.status === "delivered" ? null : (c.error ?? null))),
      changes.map((c) => delivered(c)?.title ?? null),
      changes.map((c) => delivered(c)?.body ?? null),
      changes.map((c) => (delivered(c)?.cta ? JSON.stringify(delivered(c)!.cta) : null)),
      changes.map((c) => delivered(c)?.variant ?? null),
      changes.map((c) => (delivered(c)?.assignmentPatch ? JSON.stringify(delivered(c)!.assignmentPatch) : null)),
      now,
      ...suppressionArrays(changes.flatMap((c) => (c.record ? [c.record] : []))),
    ],
  );
  const cleared = new Set(rows[0].cleared ?? []);
  return { changed: new Set(rows[0].changed ?? []), conflicted: new Set(learners.filter((id) => !cleared.has(id))) };
}
