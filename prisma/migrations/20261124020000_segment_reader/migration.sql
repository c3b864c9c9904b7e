-- The role SQL segments run as: it can read the engine's documented tables and the analytics views, and
-- nothing else (no API keys, settings, policy or audit log; no writes anywhere). Roles are cluster-wide,
-- so it is created only when missing; grants are per database and repeated in every database.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coach_segment_reader') THEN
    CREATE ROLE coach_segment_reader NOLOGIN;
  END IF;
END
$$;

-- The engine's own user switches to it with SET LOCAL ROLE, which needs membership (superusers have it anyway).
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT coach_segment_reader TO %I', current_user);
  END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM coach_segment_reader;
GRANT USAGE ON SCHEMA public TO coach_segment_reader;
GRANT SELECT ON learners, learner_course_state, events, goals, self_assessments, insights, segment_members,
                messages, feedback, suppressions TO coach_segment_reader;

CREATE SCHEMA IF NOT EXISTS analytics;
GRANT USAGE ON SCHEMA analytics TO coach_segment_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO coach_segment_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO coach_segment_reader;
