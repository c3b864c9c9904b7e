-- CreateEnum
CREATE TYPE "ApiRole" AS ENUM ('ingest', 'author', 'analyst', 'admin');

-- CreateEnum
CREATE TYPE "MessageKind" AS ENUM ('nudge', 'goal_prompt', 'goal_reminder', 'self_assessment');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('scheduled', 'delivered', 'dismissed', 'expired', 'failed', 'suppressed', 'held_out');

-- CreateEnum
CREATE TYPE "SegmentType" AS ENUM ('static', 'attributes', 'sql');

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "ApiRole" NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "learners" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "locale" TEXT,
    "timezone" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "learners_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "learner_course_state" (
    "learner_id" TEXT NOT NULL,
    "course_id" TEXT NOT NULL,
    "first_activity_at" TIMESTAMPTZ(3) NOT NULL,
    "last_activity_at" TIMESTAMPTZ(3) NOT NULL,
    "event_count" INTEGER NOT NULL DEFAULT 0,
    "event_counts" JSONB NOT NULL DEFAULT '{}',
    "inactivity_fired_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "learner_course_state_pkey" PRIMARY KEY ("learner_id","course_id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "learner_id" TEXT NOT NULL,
    "course_id" TEXT,
    "module_id" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "properties" JSONB NOT NULL DEFAULT '{}',
    "matched_at" TIMESTAMPTZ(3),
    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "templates" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "MessageKind" NOT NULL,
    "published_version" INTEGER,
    "latest_version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "templates_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "template_versions" (
    "template_key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "MessageKind" NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "variants" JSONB NOT NULL,
    "response" JSONB,
    "essential" BOOLEAN NOT NULL DEFAULT false,
    "author" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "template_versions_pkey" PRIMARY KEY ("template_key","version")
);

-- CreateTable
CREATE TABLE "variant_pauses" (
    "template_key" TEXT NOT NULL,
    "variant_key" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "paused_by" TEXT NOT NULL,
    "paused_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "variant_pauses_pkey" PRIMARY KEY ("template_key","variant_key")
);

-- CreateTable
CREATE TABLE "rules" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "trigger" JSONB NOT NULL,
    "event_type" TEXT,
    "course_id" TEXT,
    "inactive_days" INTEGER,
    "segment_key" TEXT,
    "template_key" TEXT NOT NULL,
    "delay_seconds" INTEGER NOT NULL DEFAULT 0,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "cooldown_hours" INTEGER,
    "max_per_learner" INTEGER,
    "expires_after_hours" INTEGER,
    "essential" BOOLEAN NOT NULL DEFAULT false,
    "experiment" JSONB,
    "holdout_share" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "gate" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    CONSTRAINT "rules_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "segments" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "SegmentType" NOT NULL,
    "conditions" JSONB,
    "sql" TEXT,
    "refresh_interval_minutes" INTEGER,
    "member_count" INTEGER NOT NULL DEFAULT 0,
    "last_refreshed_at" TIMESTAMPTZ(3),
    "last_refresh_status" TEXT,
    "last_refresh_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "segments_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "segment_members" (
    "segment_key" TEXT NOT NULL,
    "learner_id" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "segment_members_pkey" PRIMARY KEY ("segment_key","learner_id")
);

-- CreateTable
CREATE TABLE "segment_refreshes" (
    "id" BIGSERIAL NOT NULL,
    "segment_key" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "added" INTEGER NOT NULL DEFAULT 0,
    "removed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    CONSTRAINT "segment_refreshes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "insights" (
    "learner_id" TEXT NOT NULL,
    "course_id" TEXT NOT NULL DEFAULT '',
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "score" DOUBLE PRECISION,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "insights_pkey" PRIMARY KEY ("learner_id","course_id","key")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "learner_id" TEXT NOT NULL,
    "course_id" TEXT,
    "module_id" TEXT,
    "event_id" TEXT,
    "rule_key" TEXT NOT NULL,
    "template_key" TEXT NOT NULL,
    "template_version" INTEGER NOT NULL,
    "variant" TEXT NOT NULL,
    "assignment" JSONB NOT NULL DEFAULT '{}',
    "kind" "MessageKind" NOT NULL,
    "essential" BOOLEAN NOT NULL DEFAULT false,
    "status" "MessageStatus" NOT NULL,
    "title" TEXT,
    "body" TEXT,
    "cta" JSONB,
    "response_spec" JSONB,
    "segment_key" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "seen_at" TIMESTAMPTZ(3),
    "clicked_at" TIMESTAMPTZ(3),
    "dismissed_at" TIMESTAMPTZ(3),
    "responded_at" TIMESTAMPTZ(3),
    "response" JSONB,
    "vote" TEXT,
    "voted_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback" (
    "id" BIGSERIAL NOT NULL,
    "message_id" UUID NOT NULL,
    "learner_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "value" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "goals" (
    "id" BIGSERIAL NOT NULL,
    "learner_id" TEXT NOT NULL,
    "course_id" TEXT NOT NULL DEFAULT '',
    "text" TEXT NOT NULL,
    "message_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "goals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "self_assessments" (
    "id" BIGSERIAL NOT NULL,
    "learner_id" TEXT NOT NULL,
    "course_id" TEXT NOT NULL DEFAULT '',
    "module_id" TEXT,
    "rating" INTEGER NOT NULL,
    "scale_min" INTEGER NOT NULL,
    "scale_max" INTEGER NOT NULL,
    "message_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "self_assessments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "learner_preferences" (
    "learner_id" TEXT NOT NULL,
    "snoozed_until" TIMESTAMPTZ(3),
    "opted_out_kinds" "MessageKind"[] DEFAULT ARRAY[]::"MessageKind"[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "learner_preferences_pkey" PRIMARY KEY ("learner_id")
);

-- CreateTable
CREATE TABLE "policy" (
    "id" INTEGER NOT NULL,
    "config" JSONB NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "id" BIGSERIAL NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "learner_id" TEXT NOT NULL,
    "course_id" TEXT,
    "rule_key" TEXT,
    "event_id" TEXT,
    "message_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_key" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");

-- CreateIndex
CREATE INDEX "learner_course_state_course_id_last_activity_at_idx" ON "learner_course_state"("course_id", "last_activity_at");

-- CreateIndex
CREATE INDEX "learner_course_state_last_activity_at_idx" ON "learner_course_state"("last_activity_at");

-- CreateIndex
CREATE INDEX "events_learner_id_occurred_at_idx" ON "events"("learner_id", "occurred_at");

-- CreateIndex
CREATE INDEX "events_matched_at_received_at_idx" ON "events"("matched_at", "received_at");

-- CreateIndex
CREATE INDEX "events_course_id_type_occurred_at_idx" ON "events"("course_id", "type", "occurred_at");

-- CreateIndex
CREATE INDEX "rules_event_type_course_id_idx" ON "rules"("event_type", "course_id");

-- CreateIndex
CREATE INDEX "rules_inactive_days_idx" ON "rules"("inactive_days");

-- CreateIndex
CREATE INDEX "segment_members_learner_id_idx" ON "segment_members"("learner_id");

-- CreateIndex
CREATE INDEX "segment_refreshes_segment_key_started_at_idx" ON "segment_refreshes"("segment_key", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "messages_dedupe_key_key" ON "messages"("dedupe_key");

-- CreateIndex
CREATE INDEX "messages_learner_id_status_created_at_idx" ON "messages"("learner_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "messages_learner_id_delivered_at_idx" ON "messages"("learner_id", "delivered_at");

-- CreateIndex
CREATE INDEX "messages_status_due_at_idx" ON "messages"("status", "due_at");

-- CreateIndex
CREATE INDEX "messages_rule_key_learner_id_idx" ON "messages"("rule_key", "learner_id");

-- CreateIndex
CREATE INDEX "messages_template_key_variant_idx" ON "messages"("template_key", "variant");

-- CreateIndex
CREATE INDEX "feedback_message_id_idx" ON "feedback"("message_id");

-- CreateIndex
CREATE INDEX "feedback_learner_id_created_at_idx" ON "feedback"("learner_id", "created_at");

-- CreateIndex
CREATE INDEX "goals_learner_id_course_id_created_at_idx" ON "goals"("learner_id", "course_id", "created_at");

-- CreateIndex
CREATE INDEX "self_assessments_learner_id_course_id_created_at_idx" ON "self_assessments"("learner_id", "course_id", "created_at");

-- CreateIndex
CREATE INDEX "suppressions_created_at_idx" ON "suppressions"("created_at");

-- CreateIndex
CREATE INDEX "suppressions_reason_created_at_idx" ON "suppressions"("reason", "created_at");

-- CreateIndex
CREATE INDEX "suppressions_learner_id_created_at_idx" ON "suppressions"("learner_id", "created_at");

-- CreateIndex
CREATE INDEX "suppressions_message_id_idx" ON "suppressions"("message_id");

-- CreateIndex
CREATE INDEX "audit_log_entity_type_entity_key_created_at_idx" ON "audit_log"("entity_type", "entity_key", "created_at");
