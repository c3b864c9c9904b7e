-- One row per learner who has had a delivery: a counter every delivery bumps. Deliveries to one learner are
-- serialized by a conditional bump of this counter (optimistic concurrency) instead of an advisory lock held
-- across a multi-statement transaction, so a delivery costs two statements rather than seven.
CREATE TABLE "learner_delivery_versions" (
    "learner_id" TEXT NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "learner_delivery_versions_pkey" PRIMARY KEY ("learner_id")
);
