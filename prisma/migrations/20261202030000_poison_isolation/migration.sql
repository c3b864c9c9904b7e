-- Poison isolation: an event or message that fails alone after all of its job's attempts is marked failed
-- with its reason on its row, so it is listed for operators (GET /v1/operations/failures), counted in
-- /metrics, skipped by the outbox sweeper, and never holds back the other items of its batch again.

-- An event matching kept failing: when and why. The sweeper takes only events with both NULL and matched_at NULL.
ALTER TABLE "events" ADD COLUMN "match_failed_at" TIMESTAMPTZ(3);
ALTER TABLE "events" ADD COLUMN "match_error" TEXT;

-- When a message entered status 'failed' (its reason stays in "error").
ALTER TABLE "messages" ADD COLUMN "failed_at" TIMESTAMPTZ(3);

-- Operators list failures newest first; both sets are small, so partial indexes keep them cheap to find and count.
CREATE INDEX "events_match_failed_at_idx" ON "events"("match_failed_at") WHERE "match_failed_at" IS NOT NULL;
CREATE INDEX "messages_failed_at_idx" ON "messages"("failed_at") WHERE "failed_at" IS NOT NULL;
