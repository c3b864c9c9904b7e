/**
 * The end-to-end benchmark's two workloads, each on a database of its own:
 * - "new learners", the best case measured since session 4: every event is a new learner with no history,
 *   one rule without conditions or segment, a policy that lets everything through;
 * - "returning learners": 10,000 learners, each with 20–200 delivered messages over the last 88 days and the
 *   feedback on them (seen, clicked, dismissed, helpful and not-helpful votes, with feedback rows), goals,
 *   self-assessments and insights for some; 36 rules with conditions (on the event, the profile, the course
 *   state, goals, assessments and insights), four of them restricted to segments (two static, one on
 *   attributes), split tests, bandits, holdouts, cooldowns and a lifetime cap; a realistic policy (day
 *   and week caps, a minimum gap, adaptive back-off) that the seeded history passes, so that throttle on and
 *   off deliver the same messages and their ratio is the throttle's cost. Every event has several candidate
 *   rules: the winner is scheduled and the others are recorded as suppressions, as in production.
 * The request bodies are fixed per workload (the same ids in every run), so the same-work baseline can replay
 * the rows an engine run wrote for them.
 */
import { Pool } from "pg";
import type request from "supertest";
import type { EngineContext } from "../../src/context";
import { createApiKey } from "../../src/auth/api-keys";
import { emptyTables } from "../../src/db/empty-tables";

export interface EventBody {
  id: string;
  type: string;
  learnerId: string;
  courseId: string;
  occurredAt: string;
  properties?: Record<string, unknown>;
  learner: { name: string };
}

type Http = ReturnType<typeof request>;

export interface E2eWorkload {
  key: "new" | "returning";
  title: string;
  databaseUrl: string;
  /** Request bodies, in posting order (500 events each). */
  requests(events: number): EventBody[][];
  /** Once, after migration: content and history (kept across runs). */
  prepare(ctx: EngineContext, http: Http): Promise<void>;
  /** Before every run, engine or baseline: the data back to where a run starts (content stays), statistics fresh. */
  reset(pool: Pool): Promise<void>;
  /** The statement that says a run is finished: every event matched, nothing due left scheduled. */
  finishedSql: string;
}

const REQUEST_SIZE = 500;
const iso = (d: Date) => d.toISOString();

async function send(http: Http, secret: string, method: "put" | "post", path: string, body: unknown): Promise<void> {
  const res = await http[method](path)
    .set("Authorization", `Bearer ${secret}`)
    .send(body as object);
  if (res.status >= 300) throw new Error(`${method.toUpperCase()} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

const authorKey = async (ctx: EngineContext) => (await createApiKey(ctx.prisma, { name: "bench", role: "author" }, "bench")).secret;
/** An ingest key for one engine's client. */
export const ingestKey = async (ctx: EngineContext) => (await createApiKey(ctx.prisma, { name: "bench", role: "ingest" }, "bench")).secret;

const FINISHED_SQL = `SELECT (SELECT count(*) FROM events WHERE matched_at IS NULL) = 0
                         AND (SELECT count(*) FROM messages WHERE status = 'scheduled' AND due_at <= now() + interval '1 second') = 0 AS done`;

/** Today's best case: new learners, one rule without conditions. */
export function newLearners(databaseUrl: string): E2eWorkload {
  return {
    key: "new",
    title: "new learners, 1 rule without conditions",
    databaseUrl,
    requests(events) {
      const now = iso(new Date());
      const all = Array.from({ length: events }, (_, i): EventBody => ({
        id: `run-${i}`,
        type: "video.completed",
        learnerId: `learner-${i}`,
        courseId: "bench-101",
        occurredAt: now,
        learner: { name: `Learner ${i}` },
      }));
      return chunk(all, REQUEST_SIZE);
    },
    async prepare(ctx, http) {
      await emptyTables(ctx.database.pool);
      const author = await authorKey(ctx);
      await send(http, author, "put", "/v1/policy", { maxPerDay: 1_000_000, maxPerWeek: 1_000_000, minGapMinutes: 0, quietHours: null });
      await send(http, author, "post", "/v1/templates", {
        key: "bench",
        name: "Bench",
        kind: "nudge",
        variants: [{ key: "A", title: "Hi {{learner.firstName}}", body: "Keep going, {{learner.firstName}}!", weight: 1 }],
      });
      await send(http, author, "post", "/v1/rules", { key: "bench", name: "Bench", templateKey: "bench", trigger: { eventType: "video.completed" } });
    },
    async reset(pool) {
      await pool.query(`TRUNCATE events, messages, suppressions, feedback, learners, learner_course_state, learner_delivery_versions, event_sources`);
      // Statistics, as autovacuum keeps them on a live database: without them the planner, seeing freshly
      // truncated tables fill up within seconds, picks plans for empty tables (history reads ~10× slower).
      await pool.query("ANALYZE");
    },
    finishedSql: FINISHED_SQL,
  };
}

const LEARNERS = 10_000;
const COURSES = 20;
const SEED_MARK = "bench.returning-learners.v1";

/** The rules of the returning-learner workload (keys also name the seeded history's messages). */
function returningRules(): Array<Record<string, unknown>> {
  const rules: Array<Record<string, unknown>> = [
    {
      key: "q-pro-retry",
      name: "Pro retry",
      templateKey: "checkin",
      priority: 30,
      segmentKey: "cohort-a",
      cooldownHours: 1,
      trigger: {
        eventType: "quiz.failed",
        where: {
          all: [
            { field: "event.properties.score", op: "lt", value: 60 },
            { field: "learner.attributes.plan", op: "in", value: ["pro", "team"] },
          ],
        },
      },
      experiment: { mode: "split" },
    },
    {
      key: "q-any",
      name: "Any failed quiz",
      templateKey: "fallback",
      priority: 0,
      holdout: { share: 0.1 },
      trigger: { eventType: "quiz.failed", where: { field: "state.eventCount", op: "gte", value: 1 } },
    },
    {
      key: "v-pro",
      name: "Pro finished video",
      templateKey: "checkin",
      priority: 30,
      segmentKey: "pro-plan",
      trigger: { eventType: "video.completed", where: { field: "event.properties.percent", op: "gte", value: 90 } },
      experiment: { mode: "split" },
    },
    {
      key: "v-risk",
      name: "At risk",
      templateKey: "recap",
      priority: 25,
      segmentKey: "at-risk",
      trigger: { eventType: "video.completed", where: { field: "insights.risk.score", op: "gte", value: 0.5 } },
    },
    {
      key: "v-any",
      name: "Any video",
      templateKey: "streak",
      priority: 0,
      maxPerLearner: 10_000,
      trigger: { eventType: "video.completed", where: { not: { field: "learner.attributes.country", op: "eq", value: "XX" } } },
      experiment: { mode: "bandit", minExplorationShare: 0.1 },
    },
    {
      key: "m-goal",
      name: "Goal",
      templateKey: "checkin",
      priority: 10,
      segmentKey: "cohort-a",
      trigger: { eventType: "module.completed", where: { field: "goal.text", op: "exists" } },
      experiment: { mode: "split" },
    },
  ];
  for (let k = 0; k < 10; k++) {
    rules.push({
      key: `q-retry-c${k}`,
      name: `Retry in c${k}`,
      templateKey: "streak",
      priority: 20,
      trigger: {
        eventType: "quiz.failed",
        courseId: `c${k}`,
        where: {
          any: [
            { field: "assessments.latest.rating", op: "lte", value: 2 },
            { field: "event.properties.score", op: "lt", value: 30 },
          ],
        },
      },
      experiment: { mode: "bandit" },
    });
  }
  for (let k = 0; k < COURSES; k++) {
    rules.push({
      key: `m-any-c${k}`,
      name: `Module in c${k}`,
      templateKey: "fallback",
      priority: 0,
      cooldownHours: 1,
      holdout: { share: 0.05 },
      trigger: {
        eventType: "module.completed",
        courseId: `c${k}`,
        where: {
          all: [
            { field: "state.eventCount", op: "gte", value: 1 },
            { field: "learner.attributes.plan", op: "nin", value: ["banned"] },
          ],
        },
      },
    });
  }
  return rules;
}

const TEMPLATES = [
  {
    key: "checkin",
    name: "Check-in",
    kind: "nudge",
    variants: [
      { key: "A", title: 'How is it going, {{default learner.firstName "there"}}?', body: "You are {{state.eventCount}} steps into this course. Want a hint for the next one?", weight: 1 },
      { key: "B", title: '{{default learner.firstName "Hi"}}, a quick check-in', body: "{{#if goal}}Your goal: {{goal.text}}. {{/if}}Keep going, you are close.", weight: 1 },
    ],
  },
  {
    key: "streak",
    name: "Streak",
    kind: "nudge",
    variants: [
      { key: "A", title: 'Nice work, {{default learner.firstName "there"}}', body: "That was a {{event.type}}. One more today keeps your streak.", weight: 1 },
      { key: "B", title: "Keep it up", body: '{{pluralize state.eventCount "step" "steps"}} so far in this course.', weight: 1 },
      { key: "C", title: "You are on a roll", body: 'Come back tomorrow for the next module, {{default learner.firstName "friend"}}.', weight: 1 },
    ],
  },
  {
    key: "recap",
    name: "Recap",
    kind: "nudge",
    variants: [{ key: "A", title: "A two-minute recap", body: 'Here is what mattered in the last video, {{default learner.firstName "there"}}.', weight: 1 }],
  },
  {
    key: "fallback",
    name: "Fallback",
    kind: "nudge",
    variants: [{ key: "A", title: 'Hi {{default learner.firstName "there"}}', body: "Keep going! {{#if event.properties.score}}Score: {{event.properties.score}}.{{/if}}", weight: 1 }],
  },
];

/**
 * Returning learners: the history is seeded once (kept across runs and, with BENCH_KEEP_DATABASES=1, across
 * benchmark invocations); each run adds one event per learner and reset removes exactly what a run added.
 */
export function returningLearners(databaseUrl: string): E2eWorkload {
  return {
    key: "returning",
    title: "returning learners (20–200 deliveries each), 36 rules with conditions, segments, experiments",
    databaseUrl,
    requests(events) {
      const now = iso(new Date());
      const all = Array.from({ length: events }, (_, n): EventBody => {
        const i = n % LEARNERS;
        const kind = i % 3;
        const base = { id: `run-${n}`, learnerId: `rl-${i}`, courseId: `c${i % COURSES}`, occurredAt: now, learner: { name: `Learner ${i}` } };
        if (kind === 0) return { ...base, type: "quiz.failed", properties: { score: (i * 7) % 100, attempt: 1 + (i % 3) } };
        if (kind === 1) return { ...base, type: "video.completed", properties: { percent: 40 + ((i * 13) % 61), videoId: `v${i % 50}` } };
        return { ...base, type: "module.completed", properties: { moduleId: `m${i % 8}` } };
      });
      return chunk(all, REQUEST_SIZE);
    },
    async prepare(ctx, http) {
      const pool = ctx.database.pool;
      const marked = await pool.query(`SELECT 1 FROM settings WHERE key = $1`, [SEED_MARK]);
      if (marked.rowCount) return;
      await emptyTables(pool);
      const author = await authorKey(ctx);
      await send(http, author, "put", "/v1/policy", {
        maxPerDay: 10,
        maxPerWeek: 50,
        minGapMinutes: 60,
        quietHours: null,
        adaptive: { dismissStreak: 3, backoffHours: 72, unseenWindowHours: 48, unseenPerCapStep: 3 },
      });
      for (const t of TEMPLATES) await send(http, author, "post", "/v1/templates", t);
      await send(http, author, "post", "/v1/segments", { key: "cohort-a", name: "Cohort A", type: "static" });
      await send(http, author, "post", "/v1/segments", { key: "at-risk", name: "At risk", type: "static" });
      await send(http, author, "post", "/v1/segments", { key: "pro-plan", name: "Pro plan", type: "attributes", conditions: { field: "learner.attributes.plan", op: "eq", value: "pro" } });
      const rules = returningRules();
      for (const r of rules) await send(http, author, "post", "/v1/rules", r);
      await seedHistory(
        pool,
        rules.map((r) => ({ key: r.key as string, template: r.templateKey as string, priority: r.priority as number })),
      );
      await pool.query(`INSERT INTO settings (key, value) VALUES ($1, 'seeded')`, [SEED_MARK]);
    },
    async reset(pool) {
      // Everything a run added: its events, the messages and suppressions they caused. Profiles, course state
      // and delivery versions a run updated stay updated (the next run updates them the same way).
      await pool.query(`DELETE FROM messages WHERE event_id >= 'run-' AND event_id < 'run.'`);
      await pool.query(`TRUNCATE events, suppressions, event_sources`);
      // As autovacuum keeps a live database: dead rows gone, statistics fresh.
      await pool.query(`VACUUM (ANALYZE) messages, events, suppressions, learners, learner_course_state, learner_delivery_versions`);
    },
    finishedSql: FINISHED_SQL,
  };
}

/** The learners, their course state, goals, assessments, insights, segment members and delivery history. */
async function seedHistory(pool: Pool, rules: Array<{ key: string; template: string; priority: number }>): Promise<void> {
  const now = new Date();
  const zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "America/Los_Angeles", "Australia/Sydney"];
  await pool.query(
    `INSERT INTO learners (id, name, locale, timezone, attributes, created_at, updated_at)
     SELECT 'rl-' || i, 'Learner ' || i, 'en', ($3::text[])[1 + i % 6],
            jsonb_build_object('plan', (ARRAY['pro', 'team', 'free'])[1 + i % 3], 'country', (ARRAY['GB', 'US', 'JP', 'IN'])[1 + i % 4], 'cohort', 2024 + i % 3),
            $1::timestamptz - interval '120 days', $1::timestamptz - interval '1 day'
       FROM generate_series(0, $2 - 1) AS i`,
    [now, LEARNERS, zones],
  );
  // The event's course and one other.
  await pool.query(
    `INSERT INTO learner_course_state (learner_id, course_id, first_activity_at, last_activity_at, event_count, event_counts, updated_at)
     SELECT 'rl-' || i, 'c' || ((i + k * 7) % $3), $1::timestamptz - interval '100 days', $1::timestamptz - interval '1 day' - (i % 48) * interval '1 hour',
            20 + (i * 7 + k) % 280, jsonb_build_object('video.completed', 10 + i % 100, 'quiz.failed', 3 + i % 20, 'module.completed', 1 + i % 10), $1
       FROM generate_series(0, $2 - 1) AS i, generate_series(0, 1) AS k`,
    [now, LEARNERS, COURSES],
  );
  await pool.query(
    `INSERT INTO goals (learner_id, course_id, text, created_at)
     SELECT 'rl-' || i, 'c' || (i % $3), 'Finish the course by the end of the month', $1::timestamptz - interval '20 days' FROM generate_series(0, $2 - 1) AS i WHERE i % 10 < 3`,
    [now, LEARNERS, COURSES],
  );
  await pool.query(
    `INSERT INTO self_assessments (learner_id, course_id, module_id, rating, scale_min, scale_max, created_at)
     SELECT 'rl-' || i, 'c' || (i % $3), 'm' || k, 1 + (i + k) % 5, 1, 5, $1::timestamptz - (k + 1) * interval '5 days'
       FROM generate_series(0, $2 - 1) AS i, generate_series(0, 2) AS k WHERE i % 10 < 4`,
    [now, LEARNERS, COURSES],
  );
  await pool.query(
    `INSERT INTO insights (learner_id, course_id, key, value, score, metadata, updated_at)
     SELECT 'rl-' || i, CASE WHEN i % 4 = 0 THEN '' ELSE 'c' || (i % $3) END, 'risk', to_jsonb((i % 10) / 10.0), (i % 10) / 10.0, '{"model": "bench"}', $1
       FROM generate_series(0, $2 - 1) AS i WHERE i % 2 = 0`,
    [now, LEARNERS, COURSES],
  );
  await pool.query(
    `INSERT INTO segment_members (segment_key, learner_id, added_at)
     SELECT 'cohort-a', 'rl-' || i, $1::timestamptz FROM generate_series(0, $2 - 1) AS i WHERE i % 2 = 0
     UNION ALL SELECT 'at-risk', 'rl-' || i, $1::timestamptz FROM generate_series(0, $2 - 1) AS i WHERE i % 5 = 0`,
    [now, LEARNERS],
  );
  // 20–200 deliveries per learner, the newest 2 hours ago (past the policy's 60-minute gap and the rules'
  // 1-hour cooldowns), the oldest 88 days ago. The newest was seen (a dismiss streak cannot be open); of the
  // others 70% seen, 10% clicked, ~14% dismissed, ~9% voted helpful and ~7% not helpful.
  await pool.query(
    `INSERT INTO messages (id, dedupe_key, learner_id, course_id, event_id, rule_key, template_key, template_version, variant, assignment, kind, essential,
                           status, title, body, priority, due_at, created_at, delivered_at, seen_at, clicked_at, dismissed_at, vote, voted_at, attempts)
     SELECT gen_random_uuid(), 'hist|' || i || '|' || k, 'rl-' || i, 'c' || (i % $3), NULL, r.key, r.template, 1,
            CASE WHEN r.template IN ('checkin') THEN (ARRAY['A', 'B'])[1 + (i + k) % 2] WHEN r.template = 'streak' THEN (ARRAY['A', 'B', 'C'])[1 + (i + k) % 3] ELSE 'A' END,
            '{"policy": "split"}', 'nudge', false, 'delivered', 'Keep going, Learner ' || i, 'A message body of ordinary length, about as long as the real ones are.',
            r.priority, t.at, t.at, t.at,
            CASE WHEN k = 0 OR (i + k) % 10 < 7 THEN t.at + interval '10 minutes' END,
            CASE WHEN k > 0 AND (i + k) % 10 = 0 THEN t.at + interval '11 minutes' END,
            CASE WHEN k > 0 AND (i * 3 + k) % 7 = 0 THEN t.at + interval '12 minutes' END,
            CASE WHEN k > 0 AND (i + 2 * k) % 11 = 0 THEN 'helpful' WHEN k > 0 AND (i + 2 * k) % 13 = 0 THEN 'not_helpful' END,
            CASE WHEN k > 0 AND ((i + 2 * k) % 11 = 0 OR (i + 2 * k) % 13 = 0) THEN t.at + interval '13 minutes' END,
            1
       FROM generate_series(0, $2 - 1) AS i
       CROSS JOIN LATERAL (SELECT 20 + (i * 7919) % 181 AS n) AS c
       CROSS JOIN LATERAL generate_series(0, c.n - 1) AS k
       CROSS JOIN LATERAL (SELECT $1::timestamptz - interval '2 hours' - k * (interval '88 days' / c.n) AS at) AS t
       JOIN (SELECT * FROM unnest($4::text[], $5::text[], $6::int[]) WITH ORDINALITY AS u(key, template, priority, n)) AS r ON r.n = 1 + (i + k) % $7`,
    [now, LEARNERS, COURSES, rules.map((r) => r.key), rules.map((r) => r.template), rules.map((r) => r.priority), rules.length],
  );
  await pool.query(
    `INSERT INTO feedback (message_id, learner_id, type, value, created_at)
     SELECT id, learner_id, 'seen', NULL::jsonb, seen_at FROM messages WHERE seen_at IS NOT NULL
     UNION ALL SELECT id, learner_id, 'dismissed', NULL::jsonb, dismissed_at FROM messages WHERE dismissed_at IS NOT NULL
     UNION ALL SELECT id, learner_id, vote, NULL::jsonb, voted_at FROM messages WHERE vote IS NOT NULL`,
  );
  await pool.query(`INSERT INTO learner_delivery_versions (learner_id, version) SELECT learner_id, count(*) FROM messages GROUP BY learner_id`);
  await pool.query(`VACUUM (ANALYZE)`);
}

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
