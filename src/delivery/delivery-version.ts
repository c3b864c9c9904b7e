/**
 * A learner's delivery version (learner_delivery_versions): the counter under which delivery decisions are
 * written (write-delivery.ts checks and bumps it). Deliveries move it, and so does every other change to what
 * the throttle reads of the learner (delivery-state.ts) — feedback on their delivered messages, their
 * preferences — so that no decision made on what was read before such a change is written: a delivery in
 * flight decides again, and a state matching handed to delivery is not reused (delivery-state-handoff.ts).
 * A learner without a row reads as version 0.
 */
import type { Prisma } from "../generated/prisma/client";

/** SQL bumping the version of each learner the SELECT `learners` returns (a `learner_id` column; repeats allowed). */
export function bumpDeliveryVersionsSql(learners: string): string {
  return `INSERT INTO learner_delivery_versions AS v (learner_id, version)
          SELECT DISTINCT b.learner_id, 1 FROM (${learners}) b
          ON CONFLICT (learner_id) DO UPDATE SET version = v.version + 1`;
}

/** Bumps one learner's version inside a Prisma transaction (after the change it stands for, in the same transaction). */
export async function bumpDeliveryVersion(tx: Prisma.TransactionClient, learnerId: string): Promise<void> {
  await tx.$executeRawUnsafe(BUMP_ONE, learnerId);
}

/** The same statement for one learner, the id a parameter. */
const BUMP_ONE = bumpDeliveryVersionsSql("SELECT $1::text AS learner_id");
