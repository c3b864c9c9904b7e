/**
 * SQL segment refresh over 1,000,000 learners: seconds per refresh (first: 500,000 added; second: a diff),
 * beside running the same SELECT alone through psql, measured in the same run.
 */
import { execFileSync } from "node:child_process";
import { loadConfig } from "../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../src/engine";
import { createLogger } from "../src/lib/logger";
import { refreshSegmentNow } from "../src/segments/refresh-segment";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_bench_segments";
const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 1_000_000);
const SQL = "SELECT learner_id FROM learner_course_state WHERE course_id = 'seg-101' AND event_count >= 5";

/** Runs the segment refresh benchmark and returns its figures. */
export async function runSegmentsBench(): Promise<Record<string, number | string>> {
  const config = loadConfig({ ...process.env, DATABASE_URL, LOG_LEVEL: "silent", COACH_ADMIN_KEY: "coach_admin_bench-admin-key-0001", COACH_QUEUE_PREFIX: "bench-seg" });
  await prepareDatabase(config, createLogger("silent"));
  const ctx = await createEngine(config);
  const pool = ctx.database.pool;
  await pool.query("TRUNCATE learner_course_state, segment_members, segment_refreshes, segments");
  await pool.query(
    `INSERT INTO learner_course_state (learner_id, course_id, first_activity_at, last_activity_at, event_count)
     SELECT 'L' || g, 'seg-101', now(), now(), g % 10 FROM generate_series(1, $1) AS g`,
    [LEARNERS],
  );
  await pool.query("ANALYZE learner_course_state");
  await ctx.prisma.segment.create({ data: { key: "bench", name: "bench", type: "sql", sql: SQL } });

  const psql = () => {
    const started = Date.now();
    execFileSync("psql", [DATABASE_URL, "-Atc", SQL], { stdio: ["ignore", "ignore", "inherit"], maxBuffer: 1 << 30 });
    return (Date.now() - started) / 1000;
  };
  const psqlSeconds = Math.min(psql(), psql());
  let started = Date.now();
  const first = await refreshSegmentNow(ctx, "bench", { timeoutMs: 300_000, maxRows: 2_000_000 });
  const firstSeconds = (Date.now() - started) / 1000;
  await pool.query(`UPDATE learner_course_state SET event_count = event_count + 1 WHERE learner_id LIKE 'L1%'`);
  started = Date.now();
  const second = await refreshSegmentNow(ctx, "bench", { timeoutMs: 300_000, maxRows: 2_000_000 });
  const secondSeconds = (Date.now() - started) / 1000;
  await closeEngine(ctx);
  const figures = {
    learners: LEARNERS,
    "first refresh s": firstSeconds,
    "first: added": first.added,
    "second refresh s": secondSeconds,
    "second: added / removed": `${second.added} / ${second.removed}`,
    "SELECT alone in psql s": psqlSeconds,
    "ratio (second refresh / psql)": Number((secondSeconds / psqlSeconds).toFixed(1)),
  };
  console.table(figures);
  return figures;
}

if (require.main === module) {
  runSegmentsBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
