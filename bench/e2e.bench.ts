/**
 * End to end: 10,000 events through the real engine (API + match and deliver workers in this process, one
 * client posting batches of 500), from the first POST to the last write, on two workloads (bench/support/
 * e2e-workloads.ts): today's best case (new learners, one rule without conditions) and returning learners
 * (20–200 deliveries each in their history, 36 rules with conditions, segments and experiments).
 *
 * Per workload, first a counting pass: one engine run (throttle on) and one same-work baseline run, each on
 * processes started and closed around it, so PostgreSQL's counters are complete; their work is counted and
 * compared (bench/support/work-counter.ts), and the engine run's rows are what the baseline replays
 * (bench/support/same-work-baseline.ts). Then the timed pass: three pipelines kept for the whole pass like a
 * service (connections, caches and periodic jobs live on), a 1,000-event warm-up through each, then runs in
 * alternation (on, off, baseline; three rounds by default) compared by medians, since run order alone (JIT
 * warm-up, caches, the host's drift) otherwise favours whichever runs last:
 * - the engine with the throttle on;
 * - the engine with the throttle off (COACH_THROTTLE=off: no history read, no version check; both workloads'
 *   policies let every nudge through for their histories, so both deliver the same messages and the ratio is
 *   the throttle's whole cost);
 * - the same-work baseline: the same rows inserted and updated in the same tables in the same batch sizes,
 *   the same BullMQ jobs of the same sizes and the same Redis publishes, without the engine's logic.
 * Beside them, as before: a BullMQ no-op worker over 10,000 jobs, and `SELECT 1` round trips per second.
 *
 * Every database is the benchmark's own (coach_bench_e2e, coach_bench_e2e_returning) and every queue prefix
 * is throwaway: queues are obliterated after use and the databases dropped at the end (BENCH_KEEP_DATABASES=1
 * keeps them, so the returning learners' history is seeded only once while iterating). BENCH_E2E_STATEMENTS=1
 * prints the engines' statements with counts and times; BENCH_E2E_CPU_PROFILE=<dir> writes a CPU profile of
 * each timed engine run.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Client, Pool } from "pg";
import request from "supertest";
import { loadConfig } from "../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../src/engine";
import { createLogger } from "../src/lib/logger";
import { buildApp } from "../src/http/app";
import { startWorkers, type RunningWorkers } from "../workers";
import type { EngineContext } from "../src/context";
import { DELIVERY_CONCURRENCY } from "../workers/deliver-message.worker";
import { ingestKey, newLearners, returningLearners, type E2eWorkload, type EventBody } from "./support/e2e-workloads";
import { captureRunRows, SameWorkBaseline, type BaselineOptions, type CapturedRows } from "./support/same-work-baseline";
import { countEngineJobs, countStatements, countsBetween, describeJobs, describeRows, readStable, type DatabaseCounts, type JobCounts } from "./support/work-counter";

const EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 10_000);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_bench_e2e";
/** The tables whose rows the baseline replays: the work it must match. */
const DATA_TABLES = ["events", "learners", "learner_course_state", "messages", "suppressions", "learner_delivery_versions"];
const MATCH_CONCURRENCY = 8;

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function noopBaseline(redisUrl: string, jobs: number): Promise<number> {
  const prefix = `{bench-noop-${randomUUID().slice(0, 6)}}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("noop", { connection, prefix });
  let done = 0;
  const started = Date.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker("noop", async () => undefined, { connection: workerConnection, prefix, concurrency: 32 });
    worker.on("completed", () => {
      if (++done === jobs) void worker.close().then(() => resolve());
    });
  });
  for (let i = 0; i < jobs; i += 500) await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, j) => ({ name: "noop", data: { i: i + j }, opts: { removeOnComplete: true } })));
  await finished;
  const seconds = (Date.now() - started) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return jobs / seconds;
}

/** The machine's floor for any database work: trivial queries per second, 16 at once, from this process. */
async function pgRoundTrips(databaseUrl: string): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: 16 });
  const total = 20_000;
  let issued = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (issued++ < total) await pool.query("SELECT 1");
    }),
  );
  const perSecond = total / ((Date.now() - started) / 1000);
  await pool.end();
  return perSecond;
}

function engineConfig(workload: E2eWorkload, throttle: "on" | "off") {
  return loadConfig({
    ...process.env,
    COACH_THROTTLE: throttle,
    DATABASE_URL: workload.databaseUrl,
    COACH_QUEUE_PREFIX: `bench-${randomUUID().slice(0, 6)}`,
    LOG_LEVEL: "silent",
    COACH_ADMIN_KEY: "coach_admin_bench-admin-key-0001",
    // Two engines share the database (on and off, each idle while the other runs): neither's sweeper may take
    // the other's events for orphans mid-run. A run's own work is always held by its own live jobs.
    COACH_SWEEP_AFTER_MS: String(30 * 60_000),
  });
}

async function resetFor(workload: E2eWorkload): Promise<void> {
  const pool = new Pool({ connectionString: workload.databaseUrl, max: 1 });
  try {
    await workload.reset(pool);
  } finally {
    await pool.end();
  }
}

interface RunResult {
  seconds: number;
  ingestSeconds: number;
  events: number;
  delivered: number;
}

/** An engine kept across runs, as a service is: its caches, connections and periodic jobs live on. */
interface LiveEngine {
  ctx: EngineContext;
  http: ReturnType<typeof request>;
  ingest: string;
  workers: RunningWorkers;
  statements: Map<string, { n: number; ms: number }>;
  jobs: Map<string, JobCounts>;
}

async function startEngine(workload: E2eWorkload, throttle: "on" | "off"): Promise<LiveEngine> {
  const ctx = await createEngine(engineConfig(workload, throttle));
  const http = request(buildApp(ctx));
  const ingest = await ingestKey(ctx);
  const statements = countStatements(ctx.database.pool);
  const jobs = countEngineJobs(ctx.queues);
  const workers = await startWorkers(ctx);
  return { ctx, http, ingest, workers, statements, jobs };
}

async function stopEngine(engine: LiveEngine): Promise<void> {
  await engine.workers.close();
  await engine.ctx.queues.obliterateAll(); // the prefix is throwaway: leave nothing in Redis
  await closeEngine(engine.ctx);
}

const RUN_EVENTS = `event_id >= 'run-' AND event_id < 'run.'`;

/** One run through an engine on a database reset for it: first POST to last write. */
async function runEngine(engine: LiveEngine, workload: E2eWorkload, requests: EventBody[][]): Promise<RunResult> {
  const pool = engine.ctx.database.pool;
  const started = Date.now();
  for (const events of requests) {
    const res = await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.ingest}`).send({ events });
    if (res.status !== 202) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const ingestSeconds = (Date.now() - started) / 1000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    if ((await pool.query<{ done: boolean }>(workload.finishedSql)).rows[0].done) break;
    if (Date.now() - started > 300_000) throw new Error("the run did not finish within 300 s");
  }
  // Up to the last write itself (timestamps from this process's clock), not to the poll that saw it.
  const { rows } = await pool.query<{ at: Date | null; delivered: string }>(
    `SELECT GREATEST((SELECT max(delivered_at) FROM messages WHERE ${RUN_EVENTS}), (SELECT max(matched_at) FROM events)) AS at,
            (SELECT count(*) FROM messages WHERE ${RUN_EVENTS} AND delivered_at IS NOT NULL) AS delivered`,
  );
  const seconds = ((rows[0].at?.getTime() ?? Date.now()) - started) / 1000;
  return { seconds, ingestSeconds, events: requests.reduce((n, r) => n + r.length, 0), delivered: Number(rows[0].delivered) };
}

/** The work one run does, counted on processes started and closed around it (PostgreSQL's counters are complete only then). */
interface Counted {
  work: DatabaseCounts;
  jobs: Map<string, JobCounts>;
  statements?: Map<string, { n: number; ms: number }>;
  rows?: CapturedRows;
}

async function countEngineRun(workload: E2eWorkload, throttle: "on" | "off", requests: EventBody[][]): Promise<Counted & RunResult> {
  await resetFor(workload);
  const engine = await startEngine(workload, throttle);
  const before = await readStable(workload.databaseUrl);
  const result = await runEngine(engine, workload, requests);
  const rows =
    throttle === "on"
      ? await captureRunRows(
          engine.ctx.database.pool,
          requests.flat().map((e) => e.id),
        )
      : undefined;
  await stopEngine(engine);
  const work = countsBetween(before, await readStable(workload.databaseUrl));
  return { ...result, work, jobs: engine.jobs, statements: engine.statements, rows };
}

async function countBaselineRun(workload: E2eWorkload, options: BaselineOptions, requests: EventBody[][]): Promise<Counted & RunResult> {
  await resetFor(workload);
  const baseline = new SameWorkBaseline(options);
  const before = await readStable(workload.databaseUrl);
  const result = await baseline.run(requests);
  await baseline.close();
  const work = countsBetween(before, await readStable(workload.databaseUrl));
  return { ...result, events: requests.reduce((n, r) => n + r.length, 0), work, jobs: result.jobs };
}

/** With BENCH_E2E_CPU_PROFILE=<dir>, a CPU profile of this process during `fn` (a timed engine run), written there. */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_E2E_CPU_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  await post("Profiler.enable");
  await post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (r: RunResult) => r.events / r.seconds;
const fixed = (n: number, digits = 2) => Number(n.toFixed(digits));

/** Whether two runs wrote the same rows to the replayed tables (inserted and updated, per table). */
function sameRows(a: DatabaseCounts, b: DatabaseCounts): string {
  const differ = DATA_TABLES.filter((t) => {
    const x = a.tables[t] ?? { ins: 0, upd: 0, del: 0 };
    const y = b.tables[t] ?? { ins: 0, upd: 0, del: 0 };
    return x.ins !== y.ins || x.upd !== y.upd;
  });
  return differ.length === 0 ? "yes" : `no: ${differ.join(", ")} differ`;
}

function sameJobs(a: Map<string, JobCounts>, b: Map<string, JobCounts>): string {
  const norm = (m: Map<string, JobCounts>) =>
    JSON.stringify(
      [...m]
        .filter(([k]) => k === "matchEvents" || k === "deliverMessages")
        .sort()
        .map(([k, v]) => [k, v.jobs, [...v.items].sort((x, y) => x - y)]),
    );
  return norm(a) === norm(b) ? "yes" : "no";
}

function printStatements(title: string, statements: Map<string, { n: number; ms: number }>): void {
  console.log(`${title}: count, total ms on the connection (overlapping)`);
  console.table(Object.fromEntries([...statements].sort(([, a], [, b]) => b.ms - a.ms).map(([k, v]) => [k, { n: v.n, ms: Math.round(v.ms) }])));
}

/**
 * Runs one workload. First the counting pass: an engine run (throttle on) and a baseline run, each on
 * processes started and closed around it, whose work is counted and compared; the engine run's rows are what
 * the baseline replays. Then the timed pass: engines on and off and the baseline, each kept for the whole pass,
 * a 1,000-event warm-up through each, then runs in alternation (on, off, baseline, on, …).
 */
async function runWorkload(workload: E2eWorkload, repeats: number, redisUrl: string): Promise<Record<string, number | string>> {
  const prepareConfig = engineConfig(workload, "on");
  await prepareDatabase(prepareConfig, createLogger("silent"));
  const preparing = await createEngine(prepareConfig);
  try {
    await workload.prepare(preparing, request(buildApp(preparing)));
  } finally {
    await preparing.queues.obliterateAll();
    await closeEngine(preparing);
  }
  const requests = workload.requests(EVENTS);

  const countedEngine = await countEngineRun(workload, "on", requests);
  const rows = countedEngine.rows!;
  const baselineOptions: BaselineOptions = {
    databaseUrl: workload.databaseUrl,
    redisUrl,
    poolSize: prepareConfig.databasePoolSize,
    rows,
    matchConcurrency: MATCH_CONCURRENCY,
    deliverConcurrency: DELIVERY_CONCURRENCY,
  };
  const countedBaseline = await countBaselineRun(workload, baselineOptions, requests);

  const engines = { on: await startEngine(workload, "on"), off: await startEngine(workload, "off") };
  const baseline = new SameWorkBaseline(baselineOptions);
  const on: RunResult[] = [];
  const off: RunResult[] = [];
  const base: RunResult[] = [];
  try {
    // Warm-up: JIT, caches, connections, the engines' first periodic jobs.
    for (const engine of [engines.on, engines.off]) {
      await resetFor(workload);
      await runEngine(engine, workload, requests.slice(0, 2));
    }
    await resetFor(workload);
    await baseline.run(requests.slice(0, 2));
    for (const engine of [engines.on, engines.off]) engine.statements.clear();
    for (let i = 0; i < repeats; i++) {
      await resetFor(workload);
      on.push(await profiled(`${workload.key}-on-${i}`, () => runEngine(engines.on, workload, requests)));
      await resetFor(workload);
      off.push(await profiled(`${workload.key}-off-${i}`, () => runEngine(engines.off, workload, requests)));
      await resetFor(workload);
      const b = await baseline.run(requests);
      base.push({ ...b, events: EVENTS });
    }
  } finally {
    await stopEngine(engines.on);
    await stopEngine(engines.off);
    await baseline.close();
  }
  if (process.env.BENCH_E2E_STATEMENTS) {
    printStatements(`${workload.key}: statements of the engine, throttle on, ${repeats} timed runs`, engines.on.statements);
    printStatements(`${workload.key}: statements of the engine, throttle off, ${repeats} timed runs`, engines.off.statements);
  }

  const onRate = median(on.map(rate));
  const offRate = median(off.map(rate));
  const baseRate = median(base.map(rate));
  const typical = on.find((r) => rate(r) === onRate)!;
  const perRequest = (n: number) => fixed(n / requests.length, 1);
  const engineStatements = [...(countedEngine.statements ?? new Map<string, { n: number }>()).values()].reduce((a, b) => a + b.n, 0);
  return {
    workload: workload.title,
    events: EVENTS,
    "timed runs (each of on, off, baseline)": repeats,
    "delivered (on / off / baseline)": `${Math.min(...on.map((r) => r.delivered))} / ${Math.min(...off.map((r) => r.delivered))} / ${Math.min(...base.map((r) => r.delivered))}`,
    "seconds (median on run)": fixed(typical.seconds),
    "of which ingest (first POST to last 202)": fixed(typical.ingestSeconds),
    "engine, throttle on: events/s (median)": Math.round(onRate),
    "engine, throttle on: each run": on.map((r) => Math.round(rate(r))).join(" "),
    "engine, throttle off: events/s (median)": Math.round(offRate),
    "engine, throttle off: each run": off.map((r) => Math.round(rate(r))).join(" "),
    "throttle on ÷ off (medians)": fixed(onRate / offRate),
    "same-work baseline: events/s (median)": Math.round(baseRate),
    "same-work baseline: each run": base.map((r) => Math.round(rate(r))).join(" "),
    "engine ÷ same-work baseline (medians)": fixed(onRate / baseRate),
    "counted engine run: rows written": describeRows(countedEngine.work, DATA_TABLES),
    "counted baseline run: rows written": describeRows(countedBaseline.work, DATA_TABLES),
    "same rows per table": sameRows(countedEngine.work, countedBaseline.work),
    "counted engine run: jobs": describeJobs(countedEngine.jobs),
    "counted baseline run: jobs": describeJobs(countedBaseline.jobs),
    "same jobs and sizes": sameJobs(countedEngine.jobs, countedBaseline.jobs),
    "statements per 500 events: engine (its pool) / baseline": `${perRequest(engineStatements)} / ${perRequest(countedBaseline.work.transactions)}`,
    "transactions per 500 events, engine (all its connections)": perRequest(countedEngine.work.transactions),
  };
}

async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name.startsWith("coach_bench_")) return; // only the benchmark's own
  const client = new Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Runs the end-to-end benchmark on each workload (BENCH_E2E_WORKLOADS=new,returning by default) and returns
 * its figures, one record per workload plus the machine's baselines.
 */
export async function runE2eBench(): Promise<Array<Record<string, number | string>>> {
  const redisUrl = loadConfig().redisUrl;
  const repeats = Number(process.env.BENCH_E2E_REPEATS ?? 3);
  const wanted = (process.env.BENCH_E2E_WORKLOADS ?? "new,returning").split(",");
  const workloads = [newLearners(BASE_URL), returningLearners(withDatabase(BASE_URL, `${decodeURIComponent(new URL(BASE_URL).pathname.slice(1))}_returning`))].filter((w) => wanted.includes(w.key));
  const noopPerSecond = await noopBaseline(redisUrl, EVENTS);
  const all: Array<Record<string, number | string>> = [];
  try {
    for (const workload of workloads) {
      const figures = await runWorkload(workload, repeats, redisUrl);
      console.table(figures);
      all.push(figures);
    }
    const machine = {
      "BullMQ no-op jobs/s (10,000 jobs)": Math.round(noopPerSecond),
      "PostgreSQL SELECT 1/s (16 at once)": Math.round(await pgRoundTrips(workloads[0]?.databaseUrl ?? BASE_URL)),
      ...Object.fromEntries(all.map((f) => [`${String(f.workload).split(",")[0]}: engine ÷ no-op`, fixed(Number(f["engine, throttle on: events/s (median)"]) / noopPerSecond, 3)])),
      "targets (returning learners)": "≥ 0.5× the same-work baseline; throttle on ÷ off ≥ 0.8×; new learners ≥ 3,000 nudges/s",
    };
    console.table(machine);
    all.push(machine);
  } finally {
    if (!process.env.BENCH_KEEP_DATABASES) for (const w of workloads) await dropDatabase(w.databaseUrl).catch((error: Error) => console.warn(`could not drop ${w.databaseUrl}: ${error.message}`));
  }
  return all;
}

if (require.main === module) {
  runE2eBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
