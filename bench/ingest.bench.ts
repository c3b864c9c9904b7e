/**
 * Ingest throughput over HTTP with autocannon, beside a bare Express endpoint that only parses the same
 * JSON, in the same run and the same process arrangement: each server runs in its own child process, and
 * autocannon loads it from this one. Figures: events/s stored durably with batches of 100 (verified by
 * counting rows), single-event requests/s and p99 at 50 connections, and the ratios to the bare endpoint.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { Client } from "pg";
import { ENGINE_NODE_FLAGS } from "./support/engine-node-flags";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_bench_ingest";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Server {
  child: ChildProcess;
  port: number;
  secret: string;
}

function startServer(kind: "engine" | "bare"): Promise<Server> {
  const child = fork(join(__dirname, "support", "bench-server.ts"), [kind], {
    // BENCH_CPU_PROFILE_DIR=dir writes each server's CPU profile there (for finding where the time goes).
    execArgv: [...ENGINE_NODE_FLAGS, "--import", "tsx", ...(process.env.BENCH_CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [])],
    env: { ...process.env, DATABASE_URL, LOG_LEVEL: "silent", COACH_PROCESS: "api", COACH_ADMIN_KEY: "coach_admin_bench-admin-key-0001" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, ...(m as { port: number; secret: string }) }));
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

async function load(port: number, secret: string, batchSize: number, connections: number): Promise<autocannon.Result> {
  const now = new Date().toISOString();
  let n = 0;
  const body = () => {
    const events = Array.from({ length: batchSize }, () => ({
      id: `b-${randomUUID()}`,
      type: "video.completed",
      learnerId: `L${n++ % 5000}`,
      courseId: "bench-101",
      occurredAt: now,
      properties: { seconds: 42 },
    }));
    return JSON.stringify(batchSize === 1 ? events[0] : { events });
  };
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/events`,
    connections,
    duration: SECONDS,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
}

async function countStored(): Promise<number> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM events`);
  await client.end();
  return rows[0].n;
}

/** Runs the ingest benchmark and returns its figures. */
export async function runIngestBench(): Promise<Record<string, number | string>> {
  const servers: ChildProcess[] = [];
  const spawn = async (kind: "engine" | "bare") => {
    const server = await startServer(kind);
    servers.push(server.child);
    return server;
  };
  try {
    const bare = await spawn("bare");
    const bareBatch = await load(bare.port, bare.secret, 100, 10);
    const bareSingle = await load(bare.port, bare.secret, 1, 50);
    const engine = await spawn("engine");
    const before = await countStored();
    const started = Date.now();
    const batch = await load(engine.port, engine.secret, 100, 10);
    const batchSeconds = (Date.now() - started) / 1000;
    const stored = (await countStored()) - before;
    const single = await load(engine.port, engine.secret, 1, 50);
    const figures = {
      "batch×100: events/s stored": Math.round(stored / batchSeconds),
      "batch×100: non-2xx": batch.non2xx,
      "bare batch×100: events/s parsed": Math.round(bareBatch.requests.average * 100),
      "single: req/s": Math.round(single.requests.average),
      "single: p99 ms": single.latency.p99,
      "single: non-2xx": single.non2xx,
      "bare single: req/s": Math.round(bareSingle.requests.average),
      "bare single: p99 ms (this machine's floor at 50 connections)": bareSingle.latency.p99,
      "single ratio to bare": Number((single.requests.average / bareSingle.requests.average).toFixed(3)),
      targets: "≥ 20,000 events/s batched; single ≥ 0.35× bare, p99 < 50 ms at 50 connections",
    };
    console.table(figures);
    return figures;
  } finally {
    for (const s of servers) s.kill();
  }
}

if (require.main === module) {
  runIngestBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
