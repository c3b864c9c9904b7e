-- Learning-record standards (issue 15): xAPI statements, Caliper events and Segment-compatible calls.

-- The original of every statement, Caliper event and Segment call, kept beside the event it became (same id
-- as events.id, status 'mapped') or alone: 'unmapped' (no mapping applies), 'unusable' (a mapping applies but
-- the event it gives is invalid, `note` says why) or 'voiding' (an xAPI voiding statement, recorded, never
-- matched). `kind` is what mappings match on, so what arrives unmapped can be counted per verb / type.
CREATE TABLE "event_sources" (
    "id" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "mapping_key" TEXT,
    "kind" JSONB NOT NULL,
    "event_type" TEXT,
    "learner_id" TEXT,
    "note" TEXT,
    "voided_by" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "body" JSONB NOT NULL,

    CONSTRAINT "event_sources_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "event_sources_format_check" CHECK ("format" IN ('xapi', 'caliper', 'segment')),
    CONSTRAINT "event_sources_status_check" CHECK ("status" IN ('mapped', 'unmapped', 'unusable', 'voiding'))
);
CREATE INDEX "event_sources_unmapped_idx" ON "event_sources" ("format", "received_at") WHERE "status" <> 'mapped';

-- Mappings staff added or changed; the shipped defaults live in code (src/standards/default-mappings.ts) and a
-- row with the same key overrides one (enabled = false switches it off).
CREATE TABLE "event_mappings" (
    "key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "match" JSONB NOT NULL,
    "fields" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "event_mappings_pkey" PRIMARY KEY ("key")
);

-- Segment-compatible calls dropped one by one (the rest of their batch stored): the reason, for operators.
-- A retried batch records each dropped call once (same source and messageId).
CREATE TABLE "dropped_calls" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "message_id" TEXT,
    "call_type" TEXT,
    "reason" TEXT NOT NULL,
    "errors" JSONB NOT NULL,
    "call" JSONB,
    "size_bytes" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dropped_calls_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "dropped_calls_source_message_id_key" ON "dropped_calls" ("source", "message_id");
CREATE INDEX "dropped_calls_received_at_idx" ON "dropped_calls" ("received_at");

-- Mapping changes reach every process's cache through the content revisions (20261202040000), when present.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'bump_content_revision') THEN
    EXECUTE 'CREATE TRIGGER "event_mappings_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "event_mappings"
             FOR EACH STATEMENT EXECUTE FUNCTION bump_content_revision(''mappings'')';
  END IF;
END
$$;

-- Analysts read the originals in SQL, as SQL segments may (docs/data.md): event_sources joins the analyst
-- relations (src/db/analyst-relations.ts), so the segment roles' grant (20261202010000_segment_sandbox) grants it
-- too, now and whenever the engine repairs a sandbox role. Same function as there, with event_sources added.
CREATE OR REPLACE FUNCTION coach_private.grant_segment_reads(p_role text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Its REVOKE ALL would take the engine's own privileges away: never for the engine's user or a superuser.
  IF p_role = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role AND NOT rolsuper) THEN
    RAISE EXCEPTION 'coach: % is not a role SQL segments may run as (it must exist, and be neither % nor a superuser)', p_role, current_user;
  END IF;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', p_role);
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', p_role);
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', p_role);
  EXECUTE format('GRANT SELECT ON learners, learner_course_state, events, goals, self_assessments, insights, '
                 'segment_members, messages, feedback, suppressions, event_sources TO %I', p_role);
  EXECUTE format('GRANT USAGE ON SCHEMA analytics TO %I', p_role);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO %I', p_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO %I', p_role);
END
$$;
REVOKE ALL ON FUNCTION coach_private.grant_segment_reads(text) FROM PUBLIC;

DO $$
DECLARE
  v_role text;
BEGIN
  FOR v_role IN SELECT role_name FROM coach_private.segment_sandbox_login LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role AND NOT rolsuper) AND v_role <> current_user THEN
      PERFORM coach_private.grant_segment_reads(v_role);
    END IF;
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coach_segment_reader') THEN
    PERFORM coach_private.grant_segment_reads('coach_segment_reader');
  END IF;
END
$$;
