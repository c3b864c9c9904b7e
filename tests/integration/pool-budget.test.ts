/**
 * The default pool of 20 connections per process fills PostgreSQL's default max_connections with five
 * processes, and nothing said so. A starting process now reads the server's limit, what is open and how many
 * other engine processes are connected, and warns when its pool (or the fleet's, sized like it) cannot fit.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { Client } from "pg";
import { loadConfig } from "../../src/config";
import { prepareDatabase } from "../../src/engine";
import { checkPoolBudget, readPoolBudget } from "../../src/db/pool-budget";
import type { Logger } from "../../src/lib/logger";

/** A logger whose lines the test can read. */
function capturingLogger(): { log: Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), lines };
}

const WARN = 40;

describe("the database connection budget at start", () => {
  it("warns, naming the sizing rule, when this process's pool would exceed what the server has left", async () => {
    const { log, lines } = capturingLogger();
    await prepareDatabase(loadConfig({ ...process.env, COACH_DB_POOL_SIZE: "500" }), log);
    const warnings = lines.filter((l) => l.level === WARN).map((l) => l.msg);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/COACH_DB_POOL_SIZE=500/);
    expect(warnings[0]).toMatch(/PostgreSQL allows \d+ \(\d+ reserved\) and \d+ are open, leaving \d+/);
    expect(warnings[0]).toMatch(/processes × \(COACH_DB_POOL_SIZE \+ COACH_SEGMENT_POOL_SIZE\) ≤ max_connections − reserved/);
  });

  it("says nothing when a small pool fits", async () => {
    const { log, lines } = capturingLogger();
    await prepareDatabase(loadConfig({ ...process.env, COACH_DB_POOL_SIZE: "2", COACH_SEGMENT_POOL_SIZE: "1" }), log);
    expect(lines.filter((l) => l.level >= WARN)).toEqual([]);
  });

  it("counts the other engine processes connected to the server and warns when a fleet of pools like this one cannot fit", async () => {
    // Eight other engines, as their pools name themselves in pg_stat_activity.
    const others = Array.from({ length: 8 }, (_, i) => new Client({ connectionString: process.env.DATABASE_URL, application_name: `coach-engine ${900_000 + i}@elsewhere` }));
    await Promise.all(others.map((c) => c.connect()));
    try {
      const before = await readPoolBudget(process.env.DATABASE_URL!);
      expect(before.otherEngines).toBeGreaterThanOrEqual(8);
      const usable = before.maxConnections - before.reserved;
      // Small enough to fit what is left, big enough that the fleet's pools cannot.
      const poolSize = Math.ceil(usable / (before.otherEngines + 1)) + 1;
      if (poolSize + 1 > before.available) throw new Error(`the shared server is too busy for this test (${before.available} connections left)`);
      const { log, lines } = capturingLogger();
      await checkPoolBudget(process.env.DATABASE_URL!, { poolSize, segmentPoolSize: 1 }, log);
      const warnings = lines.filter((l) => l.level === WARN).map((l) => l.msg);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/\d+ other engine processes are connected: with pools like this one they may open \d+, more than the \d+ PostgreSQL allows/);
    } finally {
      await Promise.all(others.map((c) => c.end()));
    }
  });
});
