/**
 * Ingest's one statement is named (COACH_DB_PREPARED_STATEMENTS, on by default), so PostgreSQL parses it once per
 * connection and, after its first few calls, stops planning it: with the originals of a group of xAPI
 * statements as an argument (hundreds of KB), planning each call copied them several times (issue 15). Off,
 * nothing is left prepared on the connection. Both forms store the same thing.
 */
import { Pool } from "pg";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { GroupCommitter } from "../../src/ingest/group-commit";
import { loadConfig } from "../../src/config";
import { normalizedStatements as statements } from "../factories/events";

describe("ingest's prepared statement", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  /** Commits 8 groups through a pool of one connection, then reads what that connection holds prepared. */
  async function commitGroups(preparedStatements: boolean | undefined, prefix: string) {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    try {
      const committer = new GroupCommitter(pool, async () => undefined, preparedStatements === undefined ? {} : { preparedStatements });
      for (let g = 0; g < 8; g++) {
        const events = statements(`${prefix}-${g}`, 40);
        await expect(committer.record(events, new Date(), { exclusive: true })).resolves.toEqual({ acceptedIds: events.map((e) => e.id), duplicates: 0 });
      }
      const { rows } = await pool.query<{ name: string; generic_plans: string; custom_plans: string }>("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name");
      return rows;
    } finally {
      await pool.end();
    }
  }

  const storedOriginals = async (prefix: string) =>
    (await engine.ctx.database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM events e JOIN event_sources s USING (id) WHERE e.id LIKE $1 || '%'", [prefix])).rows[0].n;

  it("by default is prepared once per connection and then runs on a generic plan (planned once, not per call)", async () => {
    const prepared = await commitGroups(undefined, "prep-on");
    expect(prepared).toEqual([{ name: "coach_record_events_exclusive", generic_plans: expect.any(String), custom_plans: expect.any(String) }]);
    // PostgreSQL's default plan_cache_mode tries 5 custom plans, then keeps the generic one when it costs no more.
    expect(Number(prepared[0].generic_plans)).toBeGreaterThanOrEqual(1);
    expect(Number(prepared[0].generic_plans) + Number(prepared[0].custom_plans)).toBe(8);
    expect(await storedOriginals("prep-on")).toBe(8 * 40);
  });

  it("when off (the embedded database, a pooler that keeps none), leaves nothing prepared and stores the same", async () => {
    expect(await commitGroups(false, "prep-off")).toEqual([]);
    expect(await storedOriginals("prep-off")).toBe(8 * 40);
  });

  // What a pooler in transaction mode does to a named statement when the setting was left on: the next call lands
  // on a server connection that does not know the name (26000), or where another client took it (42P05).
  it.each([
    ["unknown on the connection (26000)", "DEALLOCATE coach_record_events_exclusive", null],
    ["taken on the connection by another client (42P05)", "DEALLOCATE coach_record_events_exclusive", "PREPARE coach_record_events_exclusive AS SELECT 1"],
  ])("when the connection loses the name (%s), stores the group unnamed, and every group after it, saying so once", async (_, deallocate, takeName) => {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    const told: unknown[] = [];
    try {
      const committer = new GroupCommitter(pool, async () => undefined, { preparedStatements: true, onUnnamed: (error) => told.push(error) });
      const prefix = `prep-lost-${takeName ? "taken" : "unknown"}`;
      const commit = async (g: number) => {
        const events = statements(`${prefix}-${g}`, 30);
        return committer.record(events, new Date(), { exclusive: true });
      };
      await commit(0);
      await pool.query(deallocate);
      if (takeName) {
        // The driver still thinks the name is its own on this connection: forget it, so it parses again and meets the taken name.
        const client = await pool.connect();
        (client as unknown as { connection: { parsedStatements: Record<string, unknown> } }).connection.parsedStatements = {};
        client.release();
        await pool.query(takeName);
      }
      for (let g = 1; g <= 3; g++) expect((await commit(g)).acceptedIds).toHaveLength(30);
      expect(told).toEqual([expect.objectContaining({ code: takeName ? "42P05" : "26000" })]);
      expect(await storedOriginals(prefix)).toBe(4 * 30);
    } finally {
      await pool.end();
    }
  });

  it("is switched by COACH_DB_PREPARED_STATEMENTS (on by default), and refuses anything but on or off", () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ COACH_DB_PREPARED_STATEMENTS: "off" }).databasePreparedStatements).toBe(false);
    expect(loadConfig({ COACH_DB_PREPARED_STATEMENTS: "on" }).databasePreparedStatements).toBe(true);
    expect(() => loadConfig({ COACH_DB_PREPARED_STATEMENTS: "false" })).toThrow(/COACH_DB_PREPARED_STATEMENTS/);
  });

  it("reaches the engine's database handle from the configuration", () => {
    expect(engine.ctx.database.preparedStatements).toBe(true);
  });
});
