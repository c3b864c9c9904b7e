/**
 * The SQL segment checker on its own (PostgreSQL's parser, no server): generated SELECTs over the analyst
 * relations pass, generated statements of every other kind never do, and each refusal names its reason.
 */
import fc from "fast-check";
import { ValidationError } from "../../../src/lib/errors";
import { checkSegmentSql } from "../../../src/segments/segment-sql-check";
import { REFUSAL_REASON, allowedSegmentSql, forbiddenSegmentSql } from "../../factories/segment-sql";

async function refusal(sql: string): Promise<string | null> {
  try {
    await checkSegmentSql(sql);
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.errors).toEqual([{ path: "sql", message: expect.any(String) }]);
    return error.errors[0].message;
  }
}

describe("checkSegmentSql", () => {
  it("accepts every generated SELECT over the analyst relations", async () => {
    await fc.assert(
      fc.asyncProperty(allowedSegmentSql, async (sql) => {
        expect(await refusal(sql)).toBeNull();
      }),
      { numRuns: 400 },
    );
  });

  it("refuses every generated statement of another kind, several statements, or a SELECT reaching past the allow-lists, naming why", async () => {
    await fc.assert(
      fc.asyncProperty(forbiddenSegmentSql, async (sql) => {
        expect(await refusal(sql)).toMatch(REFUSAL_REASON);
      }),
      { numRuns: 600 },
    );
  });

  it.each([
    [
      "the comment/string trick that ran COPY … TO PROGRAM",
      "select 'x' as learner_id -- '\n) AS q; COMMIT; RESET ROLE; COPY (select 1) TO PROGRAM 'id > a-file'; SELECT 1 FROM (SELECT 1 AS learner_id --'",
      "is 5 statements; segment SQL must be exactly one SELECT",
    ],
    [
      "set_config + query_to_xml with no ';' at all",
      "select concat(set_config('role','postgres',true), query_to_xml('select key, value from settings', true, false, '')::text) as learner_id",
      "calls set_config, which segment SQL may not use",
    ],
    ["a WITH name that hides api_keys only inside its own subquery", "select * from (with api_keys as (select 1) select 1) a, api_keys", "reads api_keys, which is not one of the analyst relations"],
    [
      "a CTE used before it is defined (not RECURSIVE)",
      "with a as (select * from api_keys), api_keys as (select 1 as learner_id) select learner_id from api_keys",
      "reads api_keys, which is not one of the analyst relations",
    ],
    ["a schema-qualified catalog column", "select pg_catalog.pg_authid.rolpassword as learner_id from learners", "refers to pg_catalog.pg_authid, which is not one of the analyst relations"],
    ["a cast that reads the catalogs", "select 'api_keys'::regclass::oid::text as learner_id", "uses the type regclass, which segment SQL may not use"],
    ["a row type of a hidden table", "select (null::api_keys)::text as learner_id", "uses the type api_keys, which segment SQL may not use"],
    ["a parameter", "select $1 as learner_id", "uses a parameter ($n); segment SQL takes none"],
    ["XMLTABLE", "select x as learner_id from xmltable('/a' passing '<a/>' columns x text path '.')", "uses an XML construct, which segment SQL may not use"],
  ])("refuses %s", async (_name, sql, reason) => {
    expect(await refusal(sql)).toBe(reason);
  });

  it.each([
    "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select n::text as learner_id from r",
    "with events as (select 'shadow' as learner_id) select learner_id from events",
    "select learner_id from analytics.message_facts where delivered_at > now() - interval '7 days'",
    "select l.id as learner_id from learners l join lateral jsonb_each(l.attributes) a on true where a.key = 'track'",
    "select learner_id from insights where (value->>'risk')::numeric > 0.8 and key = 'dropout';",
    "select learner_id, percentile_cont(0.5) within group (order by score) from insights group by learner_id",
    "select arm as learner_id from analytics.holdout_lift('r', 'course.completed', 7)",
  ])("accepts %s", async (sql) => {
    expect(await refusal(sql)).toBeNull();
  });

  it("refuses a query nested deeper than any written by hand", async () => {
    const deep = `select ${"abs(".repeat(300)}1${")".repeat(300)}::text as learner_id`;
    expect(await refusal(deep)).toBe("nests more than 200 levels deep");
    const deeper = `select ${"abs(".repeat(5000)}1${")".repeat(5000)}::text as learner_id`;
    expect(await refusal(deeper)).toMatch(/^(nests more than 200 levels deep|could not be parsed.*)$/);
  });
});
