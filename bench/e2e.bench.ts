/**
 * End to end: 10,000 events producing 10,000 nudges, from the first POST to the last delivered message,
 * beside a BullMQ no-op worker processing the same number of jobs (the floor any BullMQ pipeline pays).
 * Runs the real engine (API + match and deliver workers) in this process on a dedicated database; one client
 * posts the events in batches of 500. A second baseline is the machine's trivial-query rate. Then the same
 * pipeline with the throttle switched off (COACH_THROTTLE=off): the "on" run reads each learner's history,
 * checks and bumps their delivery version and decides under a policy that lets every nudge through, so both
 * runs deliver the same messages and the ratio is the throttle's whole cost. Each pipeline runs several times,
 * alternating, and the medians are compared.
 */
import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Pool } from "pg";
import request from "supertest";
import { loadConfig } from "../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../src/engine";
import { createLogger } from "../src/lib/logger";
import { buildApp } from "../src/http/app";
import { createApiKey } from "../src/auth/api-keys";
import { startWorkers } from "../workers";
import type { EngineContext } from "../src/context";
import { emptyTables } from "../src/db/empty-tables";

const EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 10_000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_bench_e2e";

async function resetTables(ctx: EngineContext): Promise<void> {
  await emptyTables(ctx.database.pool);
  // Statistics, as autovacuum keeps them on a live database: without them the planner, seeing freshly
  // truncated tables fill up within seconds, picks plans for empty tables (history reads ~10× slower).
  await ctx.database.pool.query("ANALYZE");
}

async function noopBaseline(redisUrl: string, jobs: number): Promise<number> {
  const prefix = `{bench-noop-${randomUUID().slice(0, 6)}}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("noop", { connection, prefix });
  let done = 0;
  const started = Date.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker("noop", async () => undefined, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: 32 });
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
  return jobs / seconds;
}

/** The machine's floor for any database work: trivial queries per second, 16 at once, from this process. */
async function pgRoundTrips(databaseUrl: string): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: 16 });
  const total = 20_000;
  let issued = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (issued++ < total) await pool.query("SELECT 1");
  }));
  const perSecond = total / ((Date.now() - started) / 1000);
  await pool.end();
  return perSecond;
}

async function runPipeline(throttle: "on" | "off", events = EVENTS): Promise<{ seconds: number; delivered: number; ingestSeconds: number }> {
  const config = loadConfig({ ...process.env, COACH_THROTTLE: throttle, DATABASE_URL, COACH_QUEUE_PREFIX: `bench-${randomUUID().slice(0, 6)}`, LOG_LEVEL: "silent", COACH_ADMIN_KEY: "coach_admin_bench-admin-key-0001" });
  await prepareDatabase(config, createLogger("silent"));
  const ctx = await createEngine(config);
  await resetTables(ctx);
  const author = (await createApiKey(ctx.prisma, { name: "bench", role: "author" }, "bench")).secret;
  const ingest = (await createApiKey(ctx.prisma, { name: "bench", role: "ingest" }, "bench")).secret;
  const http = request(buildApp(ctx));
  await http.put("/v1/policy").set("Authorization", `Bearer ${author}`).send({ maxPerDay: 1_000_000, maxPerWeek: 1_000_000, minGapMinutes: 0, quietHours: null });
  await http.post("/v1/templates").set("Authorization", `Bearer ${author}`).send({ key: "bench", name: "Bench", kind: "nudge", variants: [{ key: "A", title: "Hi {{learner.firstName}}", body: "Keep going, {{learner.firstName}}!", weight: 1 }] });
  await http.post("/v1/rules").set("Authorization", `Bearer ${author}`).send({ key: "bench", name: "Bench", templateKey: "bench", trigger: { eventType: "video.completed" } });
  const workers = await startWorkers(ctx);
  const started = Date.now();
  const now = new Date().toISOString();
  for (let i = 0; i < events; i += 500) {
    const batch = Array.from({ length: Math.min(500, events - i) }, (_, j) => ({ id: `e-${i + j}-${randomUUID()}`, type: "video.completed", learnerId: `learner-${i + j}`, courseId: "bench-101", occurredAt: now, learner: { name: `Learner ${i + j}` } }));
    const res = await http.post("/v1/events").set("Authorization", `Bearer ${ingest}`).send({ events: batch });
    if (res.status !== 202) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const ingestSeconds = (Date.now() - started) / 1000;
  let delivered = 0;
  while (delivered < events) {
    await new Promise((r) => setTimeout(r, 100));
    delivered = Number((await ctx.database.pool.query(`SELECT count(*) AS n FROM messages WHERE status = 'delivered'`)).rows[0].n);
    if (Date.now() - started > 300_000) break;
  }
  // Up to the last delivery itself (delivered_at, set by this process's clock), not to the poll that saw it.
  const last = (await ctx.database.pool.query<{ at: Date | null }>(`SELECT max(delivered_at) AS at FROM messages`)).rows[0].at;
  const seconds = ((last?.getTime() ?? Date.now()) - started) / 1000;
  await workers.close();
  await ctx.queues.obliterateAll(); // the run's prefix is throwaway: leave nothing in Redis
  await closeEngine(ctx);
  return { seconds, delivered, ingestSeconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs the end-to-end benchmark and returns its figures. The throttle-on and throttle-off pipelines run in
 * alternation (on, off, on, off, …) and each reports its median: run order alone (JIT warm-up, caches, the
 * host's drift over the minute) otherwise favours whichever runs last.
 */
export async function runE2eBench(): Promise<Record<string, number | string>> {
  const redisUrl = loadConfig().redisUrl;
  const repeats = Number(process.env.BENCH_E2E_REPEATS ?? 3);
  const noopPerSecond = await noopBaseline(redisUrl, EVENTS);
  // A short unmeasured run first, so neither measured run pays for JIT warm-up and first-use caches alone.
  await runPipeline("on", 1_000);
  const rate = (r: { seconds: number; delivered: number }) => r.delivered / r.seconds;
  const on: Array<Awaited<ReturnType<typeof runPipeline>>> = [];
  const off: Array<Awaited<ReturnType<typeof runPipeline>>> = [];
  for (let i = 0; i < repeats; i++) {
    on.push(await runPipeline("on"));
    off.push(await runPipeline("off"));
  }
  const roundTrips = await pgRoundTrips(DATABASE_URL);
  const onRate = median(on.map(rate));
  const offRate = median(off.map(rate));
  const typical = on.find((r) => rate(r) === onRate)!;
  const figures = {
    events: EVENTS,
    "runs (each of on and off)": repeats,
    delivered: Math.min(...on.map((r) => r.delivered)),
    "seconds (median run)": Number(typical.seconds.toFixed(2)),
    "of which ingest (first POST to last 202)": Number(typical.ingestSeconds.toFixed(2)),
    "delivered nudges/s (median)": Math.round(onRate),
    "delivered nudges/s (each run)": on.map((r) => Math.round(rate(r))).join(" "),
    "BullMQ no-op jobs/s": Math.round(noopPerSecond),
    "ratio to no-op": Number((onRate / noopPerSecond).toFixed(3)),
    "PostgreSQL SELECT 1/s (16 at once)": Math.round(roundTrips),
    target: "≥ 3,000 delivered nudges/s",
    "throttle off: delivered": Math.min(...off.map((r) => r.delivered)),
    "throttle off: nudges/s (median)": Math.round(offRate),
    "throttle off: nudges/s (each run)": off.map((r) => Math.round(rate(r))).join(" "),
    "ratio throttle on / off (medians)": Number((onRate / offRate).toFixed(2)),
    "target (on / off)": "≥ 0.7×",
  };
  console.table(figures);
  return figures;
}

if (require.main === module) {
  runE2eBench().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
}
