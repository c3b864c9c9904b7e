/**
 * Match throughput with segment checks on: events/s through the real matcher (stored event → rules →
 * memberships → throttle → scheduled message) with 100 rules each restricted to one of 100 static segments
 * of 10,000 members (1,000,000 membership rows), beside the same rules without segments, in the same run.
 * Every event's learner is in every segment, so both runs schedule the same messages: the difference is
 * the membership check alone. Runs on its own database, in chunks of 500 events like the match worker, two
 * chunks at a time.
 */
import { randomUUID } from "node:crypto";
import { loadConfig } from "../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../src/engine";
import { createLogger } from "../src/lib/logger";
import type { EngineContext } from "../src/context";
import { emptyTables } from "../src/db/empty-tables";
import { savePolicy } from "../src/policy/policy-store";
import { policySchema } from "../src/throttle/policy";
import { createTemplate } from "../src/content/template-store";
import { createRule } from "../src/content/rule-store";
import { createRuleSchema } from "../src/content/rule.schema";
import { parseEvents } from "../src/ingest/parse-events";
import { recordEvents } from "../src/ingest/record-events";
import { matchStoredEvents } from "../src/matching/match-stored-event";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_bench_segment_matching";
const SEGMENTS = 100;
const MEMBERS = 10_000;
const COURSES = 10;
const EVENTS = Number(process.env.BENCH_SEGMENT_EVENTS ?? 5_000);
const CHUNK = 500;
const CONCURRENCY = 2;

async function setUp(ctx: EngineContext): Promise<void> {
  const pool = ctx.database.pool;
  const now = ctx.clock.now();
  await emptyTables(pool);
  await savePolicy(ctx, policySchema.parse({ maxPerDay: 1_000_000, maxPerWeek: 1_000_000, minGapMinutes: 0, quietHours: null }), "bench", now);
  await createTemplate(ctx, { key: "bench", name: "Bench", kind: "nudge", variants: [{ key: "A", title: "Hi", body: 'Keep going, {{default learner.firstName "there"}}!', weight: 1 }] }, "bench", now);
  await pool.query(`INSERT INTO segments (key, name, type, created_at, updated_at) SELECT 'seg-' || s, 'Segment ' || s, 'static'::"SegmentType", $1, $1 FROM generate_series(0, $2 - 1) AS s`, [
    now,
    SEGMENTS,
  ]);
  await pool.query(
    `INSERT INTO segment_members (segment_key, learner_id, added_at)
     SELECT 'seg-' || s, 'learner-' || m, $1 FROM generate_series(0, $2 - 1) AS s, generate_series(0, $3 - 1) AS m`,
    [now, SEGMENTS, MEMBERS],
  );
  await pool.query("ANALYZE segment_members");
}

/** Creates the 100 rules (with or without segments), stores EVENTS events and times matching them all. */
async function timeMatching(ctx: EngineContext, withSegments: boolean): Promise<{ eventsPerSecond: number; scheduled: number }> {
  const pool = ctx.database.pool;
  const now = ctx.clock.now();
  await pool.query("TRUNCATE events, messages, feedback, suppressions, rules, learners, learner_course_state CASCADE");
  for (let i = 0; i < SEGMENTS; i++) {
    await createRule(
      ctx,
      createRuleSchema.parse({
        key: `r${i}`,
        name: `Rule ${i}`,
        templateKey: "bench",
        priority: i,
        trigger: { eventType: "quiz.failed", courseId: `c${i % COURSES}` },
        ...(withSegments ? { segmentKey: `seg-${i}` } : {}),
      }),
      "bench",
      now,
    );
  }
  const events = Array.from({ length: EVENTS }, (_, k) => ({
    id: `e-${k}-${randomUUID()}`,
    type: "quiz.failed",
    learnerId: `learner-${k % MEMBERS}`,
    courseId: `c${k % COURSES}`,
    occurredAt: now.toISOString(),
  }));
  for (let i = 0; i < events.length; i += 500) await recordEvents(pool, parseEvents({ events: events.slice(i, i + 500) }, now), now);

  const ids = events.map((e) => e.id);
  const chunks = Array.from({ length: Math.ceil(ids.length / CHUNK) }, (_, i) => ids.slice(i * CHUNK, (i + 1) * CHUNK));
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) await matchStoredEvents(ctx, chunk);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM messages`);
  return { eventsPerSecond: EVENTS / seconds, scheduled: Number(rows[0].n) };
}

/** Runs the segment-matching benchmark and returns its figures. */
export async function runSegmentMatchingBench(): Promise<Record<string, number | string>> {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL,
    LOG_LEVEL: "silent",
    COACH_ADMIN_KEY: "coach_admin_bench-admin-key-0001",
    COACH_QUEUE_PREFIX: `bench-segmatch-${randomUUID().slice(0, 6)}`,
  });
  await prepareDatabase(config, createLogger("silent"));
  const ctx = await createEngine(config);
  try {
    await setUp(ctx);
    await timeMatching(ctx, false); // warm-up: rule caches, JIT, connection pool
    const without = await timeMatching(ctx, false);
    const withSegments = await timeMatching(ctx, true);
    const figures = {
      segments: `${SEGMENTS} × ${MEMBERS.toLocaleString("en")} members`,
      events: EVENTS,
      "events/s without segments": Math.round(without.eventsPerSecond),
      "events/s with segment checks": Math.round(withSegments.eventsPerSecond),
      ratio: Number((withSegments.eventsPerSecond / without.eventsPerSecond).toFixed(2)),
      "same messages scheduled": without.scheduled === withSegments.scheduled ? `yes (${without.scheduled})` : `no (${without.scheduled} vs ${withSegments.scheduled})`,
      target: "≥ 0.5×",
    };
    console.table(figures);
    return figures;
  } finally {
    await ctx.queues.obliterateAll(5_000);
    await closeEngine(ctx);
  }
}

if (require.main === module) {
  runSegmentMatchingBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
