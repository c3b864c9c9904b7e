-- The bandit's outcome counts per variant of a rule's template (src/experiments/variant-stats.ts) read every
-- message the rule delivered: without this index, a heap page per message (~30,000 pages, 0.7–1.5 s, for a rule
-- with 30,000 deliveries among 1.1 million messages), once a minute per bandit rule per process. With it, an
-- index-only scan of ~200 pages (~30 ms). The price: one more index entry per delivered message (delivery
-- changes the indexed status, so it was never a HOT update), and a click, vote or response is no longer a HOT
-- update (a "seen", the most frequent feedback, still is).
-- Built in the migration's transaction: writes to messages wait while it builds (seconds per million rows).
CREATE INDEX "messages_variant_outcomes_idx" ON "messages"("rule_key", "template_key", "variant")
  INCLUDE ("clicked_at", "responded_at", "vote") WHERE "delivered_at" IS NOT NULL;
