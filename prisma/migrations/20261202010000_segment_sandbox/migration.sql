-- SQL segments run as a LOGIN role of their own, on connections of their own (src/db/segment-sandbox.ts):
-- a member of no other role (so no SET ROLE back to the engine's user), allowed to SELECT the analyst relations
-- and nothing else, with its own statement_timeout, work_mem, temp_file_limit, connection limit and read-only
-- transactions by default. The parser allow-list (src/segments/segment-sql-check.ts) stands in front of it.
--
-- Roles are cluster-wide and several databases may share a cluster (the test suite runs many at once), so the
-- role is named after the database it was made for and recorded, with its password, in coach_private, a schema
-- nobody but the engine's user can read. A database cloned from this one (CREATE DATABASE … TEMPLATE) shares the
-- role and its password. Making the role needs CREATEROLE (or a superuser); without it nothing is created and
-- the README's "SQL segment sandbox" section says what an operator does instead.

CREATE SCHEMA IF NOT EXISTS coach_private;
REVOKE ALL ON SCHEMA coach_private FROM PUBLIC;

CREATE TABLE coach_private.segment_sandbox_login (
  role_name text PRIMARY KEY,
  password text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- What the role may read: keep in step with src/db/analyst-relations.ts (the engine refuses a role that differs).
-- The engine's user owns these tables, so it can grant them to an operator-made role as well.
CREATE FUNCTION coach_private.grant_segment_reads(p_role text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Its REVOKE ALL would take the engine's own privileges away: never for the engine's user or a superuser.
  IF p_role = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role AND NOT rolsuper) THEN
    RAISE EXCEPTION 'coach: % is not a role SQL segments may run as (it must exist, and be neither % nor a superuser)', p_role, current_user;
  END IF;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', p_role);
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', p_role);
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', p_role);
  EXECUTE format('GRANT SELECT ON learners, learner_course_state, events, goals, self_assessments, insights, '
                 'segment_members, messages, feedback, suppressions TO %I', p_role);
  EXECUTE format('GRANT USAGE ON SCHEMA analytics TO %I', p_role);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO %I', p_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO %I', p_role);
END
$$;

-- Creates (or repairs) this database's segment role and records it; returns its name, or NULL when the
-- engine's user may not create roles. The engine calls it again when a login with the stored password fails.
CREATE FUNCTION coach_private.ensure_segment_sandbox() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_role text;
  v_password text;
  v_super boolean;
  v_createrole boolean;
  v_group text;
BEGIN
  SELECT rolsuper, rolcreaterole INTO v_super, v_createrole FROM pg_roles WHERE rolname = current_user;
  SELECT role_name, password INTO v_role, v_password FROM coach_private.segment_sandbox_login ORDER BY created_at LIMIT 1;
  IF v_role IS NULL THEN
    v_role := 'coach_segments_' || current_database();
    IF octet_length(v_role) > 63 THEN
      v_role := 'coach_segments_' || md5(current_database());
    END IF;
    v_password := replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
  END IF;
  IF NOT (v_super OR v_createrole) THEN
    RAISE NOTICE 'coach: % may not create roles, so SQL segments need a role made by an operator (README: SQL segment sandbox)', current_user;
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
    BEGIN
      EXECUTE format('CREATE ROLE %I LOGIN', v_role);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- made at this moment by another database's migration under the same name: the same role
    END;
  END IF;
  EXECUTE format('ALTER ROLE %I LOGIN NOCREATEDB NOCREATEROLE NOINHERIT CONNECTION LIMIT 10 PASSWORD %L', v_role, v_password);
  IF v_super THEN
    -- Only a superuser may even say NO to these; a role made by CREATEROLE never has them.
    EXECUTE format('ALTER ROLE %I NOSUPERUSER NOREPLICATION NOBYPASSRLS', v_role);
  END IF;
  FOR v_group IN SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                  WHERE u.rolname = v_role LOOP
    EXECUTE format('REVOKE %I FROM %I', v_group, v_role);
  END LOOP;
  EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', v_role, '30s');
  EXECUTE format('ALTER ROLE %I SET work_mem = %L', v_role, '32MB');
  EXECUTE format('ALTER ROLE %I SET default_transaction_read_only = on', v_role);
  EXECUTE format('ALTER ROLE %I SET search_path = public', v_role);
  EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', v_role, '60s');
  IF v_super THEN
    -- A superuser-only setting: a refresh may spill at most this much to temporary files.
    EXECUTE format('ALTER ROLE %I SET temp_file_limit = %L', v_role, '1GB');
  END IF;
  PERFORM coach_private.grant_segment_reads(v_role);
  INSERT INTO coach_private.segment_sandbox_login (role_name, password) VALUES (v_role, v_password)
  ON CONFLICT (role_name) DO UPDATE SET password = EXCLUDED.password;
  RETURN v_role;
END
$$;

REVOKE ALL ON FUNCTION coach_private.grant_segment_reads(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION coach_private.ensure_segment_sandbox() FROM PUBLIC;

SELECT coach_private.ensure_segment_sandbox();

-- The embedded database's single session still switches to coach_segment_reader: the same reads.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coach_segment_reader') THEN
    PERFORM coach_private.grant_segment_reads('coach_segment_reader');
  END IF;
END
$$;

-- Large objects can be written from a read-only transaction, by any role: take the writers away from PUBLIC
-- (only a superuser may; the engine never uses large objects).
DO $$
DECLARE
  f regprocedure;
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'pg_catalog'::regnamespace
                AND p.proname IN ('lo_create', 'lo_creat', 'lo_from_bytea', 'lo_import', 'lo_export', 'lo_put',
                                  'lowrite', 'lo_truncate', 'lo_truncate64', 'lo_unlink') LOOP
      EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
  END IF;
END
$$;
