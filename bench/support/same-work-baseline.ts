/**
 * The end-to-end benchmark's same-work baseline: the database and queue work an engine run did, replayed
 * without the engine's logic, in the same process shape (one client posting the same request bodies over
 * HTTP, a match worker and a deliver worker on BullMQ at the engine's concurrency).
 *
 * What it replays is taken from an engine run, not assumed: the rows of messages and suppressions that run
 * wrote for each event (captureRunRows), and the work-counter's per-table counts check afterwards that the
 * baseline inserted and updated the same rows per table as the engine. Per request of 500 events:
 * - ingest: one statement inserting the events, upserting the learners and their per-course state (the
 *   engine's write, without its profile merge or count aggregation), then the 202, then one match job
 *   carrying the event ids;
 * - match job: per 500 events one statement claiming the events (matched_at), inserting the messages and
 *   suppressions the engine wrote for them, then one deliver job carrying the ids of the messages due now;
 * - deliver job: one statement bumping each learner's delivery version and writing each message's delivered
 *   state and content, then one Redis pipeline publishing a notification per delivered message.
 * What it leaves out is the engine's logic: request validation and group commit, every read (events,
 * snapshots, memberships, delivery histories, pauses, rules, templates), condition and segment checks,
 * variant assignment, the throttle, rendering, and the per-learner version checks.
 */
import { randomUUID } from "node:crypto";
import express from "express";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Pool } from "pg";
import request from "supertest";
import { defaultJobOptions } from "../../src/queue/jobs";
import type { EventBody } from "./e2e-workloads";
import { countJob, type JobCounts } from "./work-counter";

/** One message row as the engine wrote it, and whether it was delivered (with what). */
interface CapturedMessage {
  id: string;
  dedupe_key: string;
  learner_id: string;
  course_id: string | null;
  module_id: string | null;
  event_id: string;
  rule_key: string;
  template_key: string;
  template_version: number;
  variant: string;
  assignment: unknown;
  kind: string;
  essential: boolean;
  scheduled_status: "scheduled" | "held_out";
  response_spec: unknown;
  segment_key: string | null;
  priority: number;
  expires_at: Date | null;
  delivered: boolean;
  title: string | null;
  body: string | null;
  cta: unknown;
}

interface CapturedSuppression {
  outcome: string;
  reason: string;
  details: unknown;
  learner_id: string;
  course_id: string | null;
  rule_key: string | null;
  event_id: string;
  message_id: string | null;
}

export interface CapturedRows {
  messagesByEvent: Map<string, CapturedMessage>;
  messagesById: Map<string, CapturedMessage>;
  suppressionsByEvent: Map<string, CapturedSuppression[]>;
  delivered: number;
}

/** The messages and suppressions an engine run wrote for these events (read after the run, before reset). */
export async function captureRunRows(pool: Pool, eventIds: string[]): Promise<CapturedRows> {
  const messages = await pool.query<CapturedMessage>(
    `SELECT id, dedupe_key, learner_id, course_id, module_id, event_id, rule_key, template_key, template_version, variant, assignment, kind, essential,
            CASE WHEN status = 'held_out' THEN 'held_out' ELSE 'scheduled' END AS scheduled_status, response_spec, segment_key, priority, expires_at,
            delivered_at IS NOT NULL AS delivered, title, body, cta
       FROM messages WHERE event_id = ANY($1::text[])`,
    [eventIds],
  );
  const suppressions = await pool.query<CapturedSuppression>(
    `SELECT outcome, reason, details, learner_id, course_id, rule_key, event_id, message_id FROM suppressions WHERE event_id = ANY($1::text[])`,
    [eventIds],
  );
  const rows: CapturedRows = { messagesByEvent: new Map(), messagesById: new Map(), suppressionsByEvent: new Map(), delivered: 0 };
  for (const m of messages.rows) {
    rows.messagesByEvent.set(m.event_id, m);
    rows.messagesById.set(m.id, m);
    if (m.delivered) rows.delivered++;
  }
  for (const s of suppressions.rows) {
    const list = rows.suppressionsByEvent.get(s.event_id) ?? [];
    list.push(s);
    rows.suppressionsByEvent.set(s.event_id, list);
  }
  return rows;
}

const INGEST_SQL = `
WITH e AS (
  INSERT INTO events (id, type, learner_id, course_id, module_id, occurred_at, received_at, properties)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::jsonb[])
), l AS (
  INSERT INTO learners AS l (id, name, attributes, created_at, updated_at)
  SELECT id, name, '{}', $9, $9 FROM unnest($3::text[], $10::text[]) AS t(id, name)
  ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, updated_at = EXCLUDED.updated_at
)
INSERT INTO learner_course_state AS s (learner_id, course_id, first_activity_at, last_activity_at, event_count, event_counts, updated_at)
SELECT learner_id, course_id, at, at, 1, jsonb_build_object(type, 1), $9 FROM unnest($3::text[], $4::text[], $2::text[], $6::timestamptz[]) AS t(learner_id, course_id, type, at)
ON CONFLICT (learner_id, course_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at, event_count = s.event_count + 1, updated_at = EXCLUDED.updated_at`;

const MESSAGE_COLUMNS =
  "id, dedupe_key, learner_id, course_id, module_id, event_id, rule_key, template_key, template_version, variant, assignment, kind, essential, status, response_spec, segment_key, priority, due_at, created_at, expires_at";
const MATCH_SQL = `
WITH claim AS (
  UPDATE events SET matched_at = $1 WHERE id = ANY($2::text[])
), m AS (
  INSERT INTO messages (${MESSAGE_COLUMNS})
  SELECT id, dedupe_key, learner_id, course_id, module_id, event_id, rule_key, template_key, template_version, variant, assignment, kind::"MessageKind", essential,
         status::"MessageStatus", response_spec, segment_key, priority, $1, $1, expires_at
    FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::text[], $13::jsonb[], $14::text[],
                $15::boolean[], $16::text[], $17::jsonb[], $18::text[], $19::int[], $20::timestamptz[])
      AS t(id, dedupe_key, learner_id, course_id, module_id, event_id, rule_key, template_key, template_version, variant, assignment, kind, essential, status, response_spec, segment_key, priority, expires_at)
)
INSERT INTO suppressions (outcome, reason, details, learner_id, course_id, rule_key, event_id, message_id, created_at)
SELECT outcome, reason, details, learner_id, course_id, rule_key, event_id, message_id, $1
  FROM unnest($21::text[], $22::text[], $23::jsonb[], $24::text[], $25::text[], $26::text[], $27::text[], $28::uuid[]) AS s(outcome, reason, details, learner_id, course_id, rule_key, event_id, message_id)`;

const DELIVER_SQL = `
WITH v AS (
  INSERT INTO learner_delivery_versions AS v (learner_id, version) SELECT DISTINCT learner_id, 1 FROM unnest($2::text[]) AS t(learner_id)
  ON CONFLICT (learner_id) DO UPDATE SET version = v.version + 1
)
UPDATE messages m SET status = 'delivered', delivered_at = $1, title = t.title, body = t.body, cta = t.cta, attempts = m.attempts + 1
  FROM unnest($3::uuid[], $4::text[], $5::text[], $6::jsonb[]) AS t(id, title, body, cta)
 WHERE m.id = t.id`;

const json = (v: unknown) => (v == null ? null : JSON.stringify(v));

export interface BaselineResult {
  seconds: number;
  delivered: number;
  ingestSeconds: number;
  jobs: Map<string, JobCounts>;
}

export interface BaselineOptions {
  databaseUrl: string;
  redisUrl: string;
  poolSize: number;
  rows: CapturedRows;
  matchConcurrency: number;
  deliverConcurrency: number;
}

/**
 * The replay's process: a pool, a bare HTTP endpoint and the two workers, kept across runs like the engine's
 * (warm connections); each `run` posts a run's requests and resolves at its last write.
 */
export class SameWorkBaseline {
  private readonly pool: Pool;
  private readonly prefix = `{bench-same-work-${randomUUID().slice(0, 6)}}`;
  private readonly producer: Redis;
  private readonly workerConnection: Redis;
  private readonly matchQueue: Queue;
  private readonly deliverQueue: Queue;
  private readonly workers: Worker[];
  private readonly http: ReturnType<typeof request>;
  private run$: { jobs: Map<string, JobCounts>; lastWrite: number; delivered: number; matched: number; expectDelivered: number; expectMatched: number; done: () => void } | null = null;

  constructor(private readonly options: BaselineOptions) {
    const { rows } = options;
    this.pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize, options: "-c jit=off" });
    this.producer = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    const jobOptions = defaultJobOptions(8);
    this.matchQueue = new Queue("match", { connection: this.producer, prefix: this.prefix, defaultJobOptions: jobOptions });
    this.deliverQueue = new Queue("deliver", { connection: this.producer, prefix: this.prefix, defaultJobOptions: jobOptions });

    const app = express();
    app.use(express.json({ limit: "1mb" }));
    app.post("/v1/events", async (req, res) => {
      const events = (req.body as { events: EventBody[] }).events;
      const receivedAt = new Date();
      await this.pool.query(INGEST_SQL, [
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.learnerId),
        events.map((e) => e.courseId),
        events.map(() => null),
        events.map((e) => e.occurredAt),
        events.map(() => receivedAt),
        events.map((e) => JSON.stringify(e.properties ?? {})),
        receivedAt,
        events.map((e) => e.learner.name),
      ]);
      res.status(202).json({ accepted: events.length, duplicates: 0 });
      const data = { eventIds: events.map((e) => e.id) };
      if (this.run$) countJob(this.run$.jobs, "matchEvents", data);
      await this.matchQueue.add("match-events", data, { jobId: `b-${randomUUID()}` });
    });
    this.http = request(app);

    const matchWorker = new Worker(
      "match",
      async (job) => {
        const eventIds = (job.data as { eventIds: string[] }).eventIds;
        for (let i = 0; i < eventIds.length; i += 500) {
          const ids = eventIds.slice(i, i + 500);
          const messages = ids.flatMap((id) => (rows.messagesByEvent.has(id) ? [rows.messagesByEvent.get(id)!] : []));
          const suppressions = ids.flatMap((id) => rows.suppressionsByEvent.get(id) ?? []);
          const at = new Date();
          await this.pool.query(MATCH_SQL, [
            at,
            ids,
            messages.map((m) => m.id),
            messages.map((m) => m.dedupe_key),
            messages.map((m) => m.learner_id),
            messages.map((m) => m.course_id),
            messages.map((m) => m.module_id),
            messages.map((m) => m.event_id),
            messages.map((m) => m.rule_key),
            messages.map((m) => m.template_key),
            messages.map((m) => m.template_version),
            messages.map((m) => m.variant),
            messages.map((m) => json(m.assignment)),
            messages.map((m) => m.kind),
            messages.map((m) => m.essential),
            messages.map((m) => m.scheduled_status),
            messages.map((m) => json(m.response_spec)),
            messages.map((m) => m.segment_key),
            messages.map((m) => m.priority),
            messages.map((m) => m.expires_at),
            suppressions.map((s) => s.outcome),
            suppressions.map((s) => s.reason),
            suppressions.map((s) => json(s.details)),
            suppressions.map((s) => s.learner_id),
            suppressions.map((s) => s.course_id),
            suppressions.map((s) => s.rule_key),
            suppressions.map((s) => s.event_id),
            suppressions.map((s) => s.message_id),
          ]);
          const due = messages.filter((m) => m.delivered).map((m) => m.id);
          if (due.length) {
            const data = { messageIds: due };
            if (this.run$) countJob(this.run$.jobs, "deliverMessages", data);
            await this.deliverQueue.add("deliver-messages", data, { jobId: `d-${randomUUID()}` });
          }
          this.progress(at, 0, ids.length);
        }
      },
      { connection: this.workerConnection, prefix: this.prefix, concurrency: options.matchConcurrency },
    );

    const deliverWorker = new Worker(
      "deliver",
      async (job) => {
        const messages = (job.data as { messageIds: string[] }).messageIds.map((id) => rows.messagesById.get(id)!);
        const at = new Date();
        await this.pool.query(DELIVER_SQL, [
          at,
          messages.map((m) => m.learner_id),
          messages.map((m) => m.id),
          messages.map((m) => m.title),
          messages.map((m) => m.body),
          messages.map((m) => json(m.cta)),
        ]);
        const pipeline = this.producer.pipeline();
        for (const m of messages) pipeline.publish(`${this.prefix}:delivered:${m.learner_id}`, JSON.stringify({ learnerId: m.learner_id, messageId: m.id }));
        await pipeline.exec();
        this.progress(at, messages.length, 0);
      },
      { connection: this.workerConnection, prefix: this.prefix, concurrency: options.deliverConcurrency },
    );
    this.workers = [matchWorker, deliverWorker];
  }

  private progress(at: Date, delivered: number, matched: number): void {
    const run = this.run$;
    if (!run) return;
    run.lastWrite = Math.max(run.lastWrite, at.getTime());
    run.delivered += delivered;
    run.matched += matched;
    if (run.delivered >= run.expectDelivered && run.matched >= run.expectMatched) run.done();
  }

  /** Posts the requests (on a database reset for a run) and resolves at the run's last write. */
  async run(requests: EventBody[][]): Promise<BaselineResult> {
    const events = requests.flat();
    const expectDelivered = events.filter((e) => this.options.rows.messagesByEvent.get(e.id)?.delivered).length;
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const run = { jobs: new Map<string, JobCounts>(), lastWrite: 0, delivered: 0, matched: 0, expectDelivered, expectMatched: events.length, done };
    this.run$ = run;
    const started = Date.now();
    for (const body of requests) {
      const res = await this.http.post("/v1/events").send({ events: body });
      if (res.status !== 202) throw new Error(`baseline ingest failed: ${res.status}`);
    }
    const ingestSeconds = (Date.now() - started) / 1000;
    const timeout = setTimeout(() => done(), 300_000);
    await finished;
    clearTimeout(timeout);
    this.run$ = null;
    if (run.delivered < expectDelivered) throw new Error(`baseline did not finish: ${run.delivered} of ${expectDelivered} delivered`);
    return { seconds: (run.lastWrite - started) / 1000, delivered: run.delivered, ingestSeconds, jobs: run.jobs };
  }

  /** Stops the workers, deletes the queues and closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.matchQueue.obliterate({ force: true });
    await this.deliverQueue.obliterate({ force: true });
    await Promise.all([this.matchQueue.close(), this.deliverQueue.close()]);
    this.producer.disconnect();
    this.workerConnection.disconnect();
    await this.pool.end();
  }
}
