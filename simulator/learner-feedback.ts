/**
 * The simulated learners' feedback, written for a whole simulated hour at once. The feedback use case
 * (src/feedback/submit-feedback.ts: a Prisma transaction per call, then an auto-pause review of the voted
 * variant) costs about 3 ms of CPU per call here; a full run makes about a million calls, which alone would
 * take longer than the whole run may. There is no batch feedback path in the engine to call instead, so this
 * file applies the same changes as recordFeedback — the same columns, the same conditions (the learner's own
 * message, delivered or dismissed or expired; a timestamp set once; the last vote standing; a feedback row only
 * when something changed) — in one statement per feedback type, and then runs the review submitFeedback runs
 * (reviewVariants), once for the hour instead of once per vote. Matching never runs between a vote and the end
 * of its hour, so a pause found at the hour's end reaches the same decisions as one found at the vote.
 * tests/e2e/simulator.test.ts checks that this leaves the same rows as the use case.
 */
import type { Pool } from "pg";
import type { EngineContext } from "../src/context";
import { loadPolicy } from "../src/policy/policy-store";
import { reviewVariants } from "../src/experiments/variant-pauses";
import { bumpDeliveryVersionsSql } from "../src/delivery/delivery-version";

export type FeedbackType = "seen" | "dismissed" | "helpful" | "not_helpful";

export interface LearnerFeedback {
  messageId: string;
  learnerId: string;
  type: FeedbackType;
}

const VISIBLE = `status IN ('delivered', 'dismissed', 'expired')`;

/** The change each type makes, as recordFeedback makes it; `changed` is the condition under which it logs a row. */
const CHANGES: Record<FeedbackType, string> = {
  seen: `UPDATE messages m SET seen_at = $4 FROM input i
          WHERE m.id = i.id AND m.learner_id = i.learner_id AND m.${VISIBLE} AND m.seen_at IS NULL
         RETURNING m.id, m.learner_id`,
  helpful: `UPDATE messages m SET vote = 'helpful', voted_at = $4 FROM input i
             WHERE m.id = i.id AND m.learner_id = i.learner_id AND m.${VISIBLE} AND (m.vote IS NULL OR m.vote <> 'helpful')
            RETURNING m.id, m.learner_id`,
  not_helpful: `UPDATE messages m SET vote = 'not_helpful', voted_at = $4 FROM input i
                 WHERE m.id = i.id AND m.learner_id = i.learner_id AND m.${VISIBLE} AND (m.vote IS NULL OR m.vote <> 'not_helpful')
                RETURNING m.id, m.learner_id`,
  // A dismissal marks the message seen too (if it was not), then dismisses it.
  dismissed: `UPDATE messages m SET seen_at = COALESCE(m.seen_at, $4), dismissed_at = $4, status = 'dismissed' FROM input i
               WHERE m.id = i.id AND m.learner_id = i.learner_id AND m.${VISIBLE} AND m.dismissed_at IS NULL
              RETURNING m.id, m.learner_id`,
};

/**
 * Applies one round of feedback of one type (at most one item per message). Each learner whose message changed
 * has their delivery version bumped, as recordFeedback does (every type changes what the throttle reads).
 */
async function applyType(pool: Pool, type: FeedbackType, items: LearnerFeedback[], now: Date): Promise<void> {
  if (items.length === 0) return;
  await pool.query(
    `WITH input AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS t(id, learner_id)),
          changed AS (${CHANGES[type]}),
          logged AS (INSERT INTO feedback (message_id, learner_id, type, created_at) SELECT id, learner_id, $3, $4 FROM changed)
     ${bumpDeliveryVersionsSql("SELECT learner_id FROM changed")}`,
    [items.map((i) => i.messageId), items.map((i) => i.learnerId), type, now],
  );
}

/**
 * Applies the hour's feedback in the order learners give it — seen, then votes, then dismissals — and reviews
 * the variants for auto-pause if anyone voted.
 */
export async function applyLearnerFeedback(ctx: EngineContext, items: LearnerFeedback[]): Promise<void> {
  const now = ctx.clock.now();
  const pool = ctx.database.pool;
  for (const type of ["seen", "helpful", "not_helpful", "dismissed"] as const)
    await applyType(
      pool,
      type,
      items.filter((i) => i.type === type),
      now,
    );
  if (items.some((i) => i.type === "helpful" || i.type === "not_helpful")) {
    const policy = await loadPolicy(ctx);
    await reviewVariants(pool, policy.autoPause, now);
  }
}
