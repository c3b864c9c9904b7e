/**
 * fast-check generators of segment SQL: SELECTs over the analyst relations that must pass the checker and
 * run as the segment role, and statements of every other kind (or SELECTs reaching for what is not allowed)
 * that must never pass. Used by the checker's unit property test and by the sandbox's API property test.
 */
import fc from "fast-check";

interface Relation {
  name: string;
  time: string;
  text: string;
}

/** Analyst relations with a learner_id, a time column and a text column. */
const RELATIONS: Relation[] = [
  { name: "events", time: "occurred_at", text: "type" },
  { name: "learner_course_state", time: "last_activity_at", text: "course_id" },
  { name: "goals", time: "created_at", text: "text" },
  { name: "self_assessments", time: "created_at", text: "module_id" },
  { name: "insights", time: "updated_at", text: "key" },
  { name: "segment_members", time: "added_at", text: "segment_key" },
  { name: "messages", time: "created_at", text: "rule_key" },
  { name: "feedback", time: "created_at", text: "type" },
  { name: "suppressions", time: "created_at", text: "reason" },
  { name: "analytics.message_facts", time: "delivered_at", text: "template_key" },
  { name: "analytics.holdout_exposures", time: "exposed_at", text: "arm" },
];

const small = fc.integer({ min: 0, max: 50 });
const word = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,11}$/);

function predicate(r: Relation, a: string): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    fc.constant(`${a}.${r.text} IS NOT NULL`),
    small.map((n) => `length(${a}.learner_id) > ${n}`),
    word.map((w) => `lower(${a}.learner_id) LIKE '${w}%'`),
    small.map((n) => `${a}.${r.time} > now() - interval '${n} days'`),
    fc.constant(`date_trunc('day', ${a}.${r.time}) <= current_date`),
    fc.constant(`coalesce(${a}.${r.text}, '') <> ''`),
    word.map((w) => `${a}.${r.text} IN ('${w}', upper('${w}'))`),
    fc.constant(`${a}.learner_id IN (SELECT g.learner_id FROM goals g)`),
    fc.constant(`EXISTS (SELECT 1 FROM feedback f WHERE f.learner_id = ${a}.learner_id)`),
    small.map((n) => `abs(${n} - 25) >= round(random()::numeric, 2)`),
    fc.constant(`extract(dow FROM ${a}.${r.time}) BETWEEN 1 AND 5`),
    fc.constant(`${a}.learner_id ~ '^[A-Za-z0-9-]+$'`),
  );
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf, fc.constantFrom("AND", "OR")).map(([x, y, op]) => `(${x} ${op} ${y})`) },
    { weight: 1, arbitrary: leaf.map((x) => `NOT (${x})`) },
  );
}

/** A SELECT of learner ids over the analyst relations that the checker accepts and PostgreSQL can run. */
export const allowedSegmentSql: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...RELATIONS), fc.constantFrom(...RELATIONS), fc.constantFrom("t", "x", "src"), small, fc.boolean())
  .chain(([r, other, a, n, ordered]) =>
    predicate(r, a).chain((where) =>
      fc
        .constantFrom(
          `SELECT ${a}.learner_id FROM ${r.name} ${a} WHERE ${where}`,
          `SELECT ${a}.learner_id FROM ${r.name} ${a} WHERE ${where} GROUP BY ${a}.learner_id HAVING count(*) >= ${n % 5}`,
          `WITH picked AS (SELECT ${a}.learner_id FROM ${r.name} ${a} WHERE ${where}) SELECT learner_id FROM picked`,
          `SELECT learner_id FROM ${r.name} UNION SELECT learner_id FROM ${other.name}`,
          `SELECT learner_id FROM (SELECT ${a}.learner_id, row_number() OVER (PARTITION BY ${a}.learner_id ORDER BY ${a}.${r.time} DESC) AS rn FROM ${r.name} ${a}) ranked WHERE rn = 1`,
          `SELECT l.id AS learner_id FROM learners l JOIN ${r.name} ${a} ON ${a}.learner_id = l.id WHERE l.attributes->>'track' = 'paid' AND ${where}`,
          `SELECT DISTINCT ${a}.learner_id FROM ${r.name} ${a} LEFT JOIN LATERAL (SELECT count(*) AS n FROM events e WHERE e.learner_id = ${a}.learner_id) c ON true WHERE c.n >= ${n}`,
        )
        .map((sql) => (ordered ? `${sql} ORDER BY 1 LIMIT ${n + 1}` : sql)),
    ),
  );

const FORBIDDEN_CALLS = [
  "set_config('role', 'postgres', false)",
  "set_config('default_transaction_read_only', 'on', false)",
  "current_setting('is_superuser')",
  "query_to_xml('select key, value from settings', true, false, '')",
  "table_to_xml('api_keys', true, false, '')",
  "lo_create(0)",
  "lo_from_bytea(0, 'x')",
  "lo_import('/etc/passwd')",
  "pg_read_file('/etc/passwd')",
  "pg_read_binary_file('/etc/passwd')",
  "pg_ls_dir('.')",
  "pg_stat_file('.')",
  "pg_sleep(30)",
  "pg_sleep_for('30 seconds')",
  "pg_terminate_backend(1)",
  "pg_cancel_backend(1)",
  "txid_current()",
  "pg_advisory_lock(1)",
  "dblink('dbname=postgres', 'select 1')",
  "nextval('api_keys_id_seq')",
  "pg_catalog.set_config('role', 'postgres', true)",
  "public.lower('x')",
];

const FORBIDDEN_RELATIONS = [
  "api_keys",
  "settings",
  "audit_log",
  "policy",
  "templates",
  "rules",
  "pg_authid",
  "pg_catalog.pg_class",
  "information_schema.tables",
  "coach_private.segment_sandbox_login",
  "public.api_keys",
];

const OTHER_STATEMENTS = [
  "INSERT INTO learners (id) VALUES ('intruder')",
  "UPDATE api_keys SET role = 'admin'",
  "DELETE FROM events",
  "COPY (SELECT 1) TO PROGRAM 'id'",
  "SET ROLE postgres",
  "RESET ROLE",
  "SET SESSION AUTHORIZATION postgres",
  "DO $$ BEGIN PERFORM 1; END $$",
  "CREATE TABLE intruder (learner_id text)",
  "TRUNCATE events",
  "GRANT SELECT ON api_keys TO PUBLIC",
  "COMMIT",
  "LISTEN x",
  "DECLARE c CURSOR FOR SELECT 1",
  "EXPLAIN ANALYZE SELECT 1",
  "CALL p()",
  "MERGE INTO learners USING events ON true WHEN MATCHED THEN DELETE",
];

/** SQL that must never pass: other statement kinds, several statements, forbidden calls, relations and clauses. */
export const forbiddenSegmentSql: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...OTHER_STATEMENTS),
  fc.tuple(allowedSegmentSql, fc.constantFrom(...OTHER_STATEMENTS), fc.boolean()).map(([select, other, first]) => (first ? `${other}; ${select}` : `${select}; ${other}`)),
  fc.tuple(allowedSegmentSql, fc.constantFrom(...OTHER_STATEMENTS)).map(([select, other]) => `${select} -- '\n; ${other}; SELECT 1 AS learner_id --'`),
  fc.tuple(fc.constantFrom(...RELATIONS), fc.constantFrom(...FORBIDDEN_CALLS)).map(([r, call]) => `SELECT t.learner_id FROM ${r.name} t WHERE ${call} IS NOT NULL`),
  fc.constantFrom(...FORBIDDEN_CALLS).map((call) => `SELECT concat(${call})::text AS learner_id`),
  fc.constantFrom(...FORBIDDEN_CALLS).map((call) => `SELECT 'x' AS learner_id FROM ${call} AS f`),
  fc.constantFrom(...FORBIDDEN_RELATIONS).map((rel) => `SELECT 'x' AS learner_id FROM ${rel}`),
  fc.tuple(fc.constantFrom(...RELATIONS), fc.constantFrom(...FORBIDDEN_RELATIONS)).map(([r, rel]) => `SELECT t.learner_id FROM ${r.name} t WHERE EXISTS (SELECT 1 FROM ${rel})`),
  fc.constantFrom(...FORBIDDEN_RELATIONS).map((rel) => `WITH x AS (SELECT 1 FROM ${rel}) SELECT 'x' AS learner_id FROM x`),
  fc.constantFrom(...RELATIONS).map((r) => `SELECT learner_id INTO intruder FROM ${r.name}`),
  fc.tuple(fc.constantFrom(...RELATIONS), fc.constantFrom("UPDATE", "SHARE", "NO KEY UPDATE", "KEY SHARE")).map(([r, lock]) => `SELECT learner_id FROM ${r.name} FOR ${lock}`),
  fc.constantFrom(...RELATIONS).map((r) => `WITH gone AS (DELETE FROM ${r.name.replace("analytics.", "")} RETURNING learner_id) SELECT learner_id FROM gone`),
  fc.constantFrom("regclass", "regproc", "regprocedure", "regrole", "regnamespace", "regtype", "pg_catalog.regclass", "api_keys").map((t) => `SELECT 'api_keys'::${t}::text AS learner_id`),
  fc.constant("SELECT $1::text AS learner_id"),
  fc.constant("SELECT current_user AS learner_id"),
);

/** The reasons a refusal may give (any other message would be the checker failing open or vaguely). */
export const REFUSAL_REASON =
  /(is \d+ statements; segment SQL must be exactly one SELECT|statement; segment SQL must be exactly one SELECT|which segment SQL may not use|which is not one of the analyst relations|segment SQL may only read|segment SQL takes none|has a syntax error)/;
