/**
 * A delivery decision's write, each as one statement that changes the message only while it is still
 * `scheduled` (a duplicated or retried job is a no-op) and records its suppression in the same statement.
 *
 * Delivering also bumps the learner's delivery version, but only from the value the decision read: if another
 * worker delivered to this learner in between, the bump finds a different value, nothing is written, and the
 * caller decides again on fresh history. Concurrent bumps of one learner's row queue on its row lock, and the
 * loser re-checks the condition against the winner's committed value, so two deliveries can never both be
 * decided on the same history — a cap can never be exceeded.
 */
import type { Pool } from "pg";
import { SUPPRESSION_COLUMNS, suppressionArrays, suppressionRows, type SuppressionRecord } from "./suppressions";

export type WriteResult = "written" | "not_scheduled" | "conflict";

export interface DeliveredContent {
  title: string;
  body: string;
  cta: unknown;
  variant: string;
  /** Merged into messages.assignment (e.g. a variant replaced at delivery); null for none. */
  assignmentPatch: Record<string, unknown> | null;
}

/** Marks the message delivered if the learner's delivery version is still `expectedVersion` (null: unchecked). */
export async function writeDelivered(pool: Pool, messageId: string, learnerId: string, expectedVersion: string | null, content: DeliveredContent, now: Date): Promise<WriteResult> {
  const { rows } = await pool.query<{ bumped: boolean; delivered: boolean }>(
    `WITH bump AS (
       INSERT INTO learner_delivery_versions AS v (learner_id, version) VALUES ($1, 1)
       ON CONFLICT (learner_id) DO UPDATE SET version = v.version + 1 WHERE $2::bigint IS NULL OR v.version = $2::bigint
       RETURNING version
     ), delivered AS (
       UPDATE messages SET status = 'delivered', delivered_at = $4, title = $5, body = $6, cta = $7, attempts = attempts + 1,
              variant = $8, assignment = CASE WHEN $9::jsonb IS NULL THEN assignment ELSE assignment || $9::jsonb END
        WHERE id = $3 AND status = 'scheduled' AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM bump))
       RETURNING id
     )
     SELECT EXISTS (SELECT 1 FROM bump) AS bumped, EXISTS (SELECT 1 FROM delivered) AS delivered`,
    // A first delivery (no row yet) reads version 0 and inserts 1; a concurrent first delivery conflicts on
    // the key, waits for the winner's commit, and then fails the version check (1 ≠ 0) like any other loser.
    [learnerId, expectedVersion, messageId, now, content.title, content.body,
      content.cta ? JSON.stringify(content.cta) : null, content.variant, content.assignmentPatch ? JSON.stringify(content.assignmentPatch) : null],
  );
  if (rows[0].delivered) return "written";
  return expectedVersion !== null && !rows[0].bumped ? "conflict" : "not_scheduled";
}

/** Changes a still-scheduled message (defer: new due time; suppress/expire/fail: final status) and records why. */
export async function writeNotDelivered(
  pool: Pool,
  messageId: string,
  change: { status: "scheduled" | "suppressed" | "expired" | "failed"; dueAt?: Date; error?: string },
  record: SuppressionRecord | null,
): Promise<WriteResult> {
  const { rows } = await pool.query<{ changed: boolean }>(
    `WITH changed AS (
       UPDATE messages SET status = $2::"MessageStatus", due_at = COALESCE($3, due_at), error = COALESCE($4, error),
              attempts = attempts + CASE WHEN $2 = 'failed' THEN 1 ELSE 0 END
        WHERE id = $1 AND status = 'scheduled' RETURNING id
     ), recorded AS (
       INSERT INTO suppressions (${SUPPRESSION_COLUMNS})
       SELECT s.* FROM ${suppressionRows(5)} WHERE EXISTS (SELECT 1 FROM changed)
     )
     SELECT EXISTS (SELECT 1 FROM changed) AS changed`,
    [messageId, change.status, change.dueAt ?? null, change.error ?? null, ...suppressionArrays(record ? [record] : [])],
  );
  return rows[0].changed ? "written" : "not_scheduled";
}
