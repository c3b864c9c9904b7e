-- Cross-process cache invalidation that does not trust clocks. Each kind of cached content has a revision
-- that triggers bump in the same transaction as the write, from a sequence that never repeats (it is owned
-- by no column, so even TRUNCATE … RESTART IDENTITY leaves it alone). Every process polls these few rows
-- and reloads a cache when the revision it loaded with differs: no process's clock is ever compared, and
-- two writes in the same millisecond are two revisions.
CREATE SEQUENCE "content_revision_seq";

CREATE TABLE "content_revisions" (
    "kind" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,

    CONSTRAINT "content_revisions_pkey" PRIMARY KEY ("kind")
);

CREATE FUNCTION "bump_content_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO content_revisions (kind, revision) VALUES (TG_ARGV[0], nextval('content_revision_seq'))
  ON CONFLICT (kind) DO UPDATE SET revision = EXCLUDED.revision;
  RETURN NULL;
END
$$;

-- Statement-level: one bump per statement however many rows it touched (a statement that touches none bumps
-- too, which only costs a reload). TRUNCATE is covered so tests and the simulator, which empty the tables,
-- never keep content from before.
CREATE TRIGGER "rules_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "rules"
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_revision('rules');
CREATE TRIGGER "templates_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "templates"
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_revision('templates');
CREATE TRIGGER "template_versions_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "template_versions"
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_revision('templates');
CREATE TRIGGER "policy_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "policy"
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_revision('policy');
-- Segments: only their definitions are cached (membership is read live), so a refresh or a member upload,
-- which update member_count and the refresh status, does not invalidate every process's definitions.
CREATE TRIGGER "segments_revision" AFTER INSERT OR DELETE OR TRUNCATE ON "segments"
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_revision('segments');
CREATE TRIGGER "segments_definition_revision" AFTER UPDATE OF "key", "name", "type", "conditions", "sql", "refresh_interval_minutes" ON "segments"
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_revision('segments');

-- Segments get a version, as rules and templates have, so an update can be made conditional on the version
-- its author read (If-Match) instead of silently overwriting a colleague's change.
ALTER TABLE "segments" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
