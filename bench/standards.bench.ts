/**
 * The learning-record standards beside native ingest, in the same run and the same process arrangement as the
 * ingest benchmark (the engine's API in its own child process, autocannon loading it from this one): the same
 * logical events — a learner completing a video in a course — posted as native /v1/events batches of 100, as
 * xAPI statement arrays of 100 (Open edX's shape: mapping, validation and the original kept beside each event),
 * and as Segment /v1/batch bodies of 100 track calls. Figures: events stored per second (counted in the
 * database) and each standard's ratio to native. The three alternate for ROUNDS rounds and medians are compared,
 * so neither the order nor a warming database favours one.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { Client } from "pg";
import { ENGINE_NODE_FLAGS } from "./support/engine-node-flags";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_bench_standards";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 100;
const CONNECTIONS = Number(process.env.BENCH_STANDARDS_CONNECTIONS ?? 10);
const COURSE = "course-v1:Bench+V1+2026";

type Kind = "native" | "xapi" | "segment";

function startEngine(): Promise<{ child: ChildProcess; port: number; secret: string }> {
  const child = fork(join(__dirname, "support", "bench-server.ts"), ["engine"], {
    // BENCH_CPU_PROFILE_DIR=dir writes the server's CPU profile there (for finding where the time goes).
    execArgv: [...ENGINE_NODE_FLAGS, "--import", "tsx", ...(process.env.BENCH_CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [])],
    env: { ...process.env, DATABASE_URL, LOG_LEVEL: "silent", COACH_PROCESS: "api", COACH_ADMIN_KEY: "coach_admin_bench-admin-key-0001" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, ...(m as { port: number; secret: string }) }));
    child.once("exit", (code) => reject(new Error(`engine exited with ${code}`)));
  });
}

/**
 * One batch body of each kind: the same event (video completed in COURSE by a learner) in each standard's
 * words. Built once as a template whose ids and learners are filled in per request by one string replace, so
 * the load generator (sharing the machine's cores with the server) spends as little, and as equally, as it can.
 */
function template(kind: Kind): string {
  const now = new Date().toISOString();
  if (kind === "native") {
    return JSON.stringify({
      events: Array.from({ length: BATCH }, () => ({
        id: "@ID@",
        type: "video.completed",
        learnerId: "@L@",
        courseId: COURSE,
        moduleId: "block-v1:Bench+V1+2026+type@video+block@b1",
        occurredAt: now,
        properties: { seconds: 42 },
      })),
    });
  }
  if (kind === "xapi") {
    return JSON.stringify(
      Array.from({ length: BATCH }, () => ({
        id: "@ID@",
        actor: { objectType: "Agent", account: { homePage: "http://lms.bench.example", name: "@L@" } },
        verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { en: "completed" } },
        object: { id: "http://lms.bench.example/xblock/block-v1:Bench+V1+2026+type@video+block@b1", objectType: "Activity", definition: { type: "https://w3id.org/xapi/video/activity-type/video" } },
        result: { completion: true, duration: "PT42S" },
        context: { contextActivities: { parent: [{ id: `http://lms.bench.example/course/${COURSE}`, objectType: "Activity", definition: { type: "http://adlnet.gov/expapi/activities/course" } }] } },
        timestamp: now,
        version: "1.0.3",
      })),
    );
  }
  return JSON.stringify({
    batch: Array.from({ length: BATCH }, () => ({
      type: "track",
      messageId: "@ID@",
      userId: "@L@",
      event: "Video Completed",
      timestamp: now,
      properties: { courseId: COURSE, moduleId: "block-v1:Bench+V1+2026+type@video+block@b1", seconds: 42 },
    })),
    sentAt: now,
  });
}

const templates = new Map<Kind, string>();
const run = randomUUID().slice(0, 8);
let n = 0;
/** A fresh body: every id new (a UUID, as xAPI wants), learners cycling over 5,000. */
function body(kind: Kind): string {
  let t = templates.get(kind);
  if (!t) templates.set(kind, (t = template(kind)));
  return t.replace(/@ID@|@L@/g, (m) => (m === "@ID@" ? `${run}-0000-4000-8000-${(n++).toString(16).padStart(12, "0")}` : `L${n % 5000}`));
}

const PATHS: Record<Kind, string> = { native: "/v1/events", xapi: "/xapi/statements", segment: "/v1/batch" };

async function countEvents(client: Client): Promise<number> {
  return (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM events")).rows[0].n;
}

/**
 * CPU seconds used so far by the engine's process and by the database's backends serving it (Linux /proc):
 * on a shared 2-core machine throughput swings with other load, CPU per event much less.
 */
async function cpuSeconds(serverPid: number, client: Client): Promise<{ server: number; database: number }> {
  const { rows } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
  const ticks = (pid: number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) /, "")
        .split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
    } catch {
      return 0; // a backend that ended, or no /proc
    }
  };
  return { server: ticks(serverPid), database: rows.reduce((sum, r) => sum + ticks(r.pid), 0) };
}

async function load(
  port: number,
  secret: string,
  kind: Kind,
  client: Client,
  serverPid: number,
): Promise<{ perSecond: number; non2xx: number; serverMsPer1000: number; databaseMsPer1000: number; loaderMsPer1000: number }> {
  const before = await countEvents(client);
  const cpuBefore = await cpuSeconds(serverPid, client);
  const loaderBefore = process.cpuUsage();
  const started = Date.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${PATHS[kind]}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}`, "x-experience-api-version": "1.0.3" },
    requests: [{ setupRequest: (req) => ({ ...req, body: body(kind) }) }],
  });
  const seconds = (Date.now() - started) / 1000;
  const loader = process.cpuUsage(loaderBefore);
  const stored = (await countEvents(client)) - before;
  const cpuAfter = await cpuSeconds(serverPid, client);
  const per1000 = (cpuSecondsUsed: number) => (stored > 0 ? (cpuSecondsUsed * 1000 * 1000) / stored : 0);
  return {
    perSecond: stored / seconds,
    non2xx: result.non2xx,
    serverMsPer1000: per1000(cpuAfter.server - cpuBefore.server),
    databaseMsPer1000: per1000(Math.max(0, cpuAfter.database - cpuBefore.database)),
    loaderMsPer1000: per1000((loader.user + loader.system) / 1e6),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the standards benchmark and returns its figures. */
export async function runStandardsBench(): Promise<Record<string, number | string>> {
  // A database of its own, made afresh each run: migrations change while the project is worked on.
  const admin = new Client({ connectionString: Object.assign(new URL(DATABASE_URL), { pathname: "/postgres" }).toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${new URL(DATABASE_URL).pathname.slice(1)}" WITH (FORCE)`);
  await admin.end();
  const engine = await startEngine();
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const runs: Record<Kind, number[]> = { native: [], xapi: [], segment: [] };
    const cpu: Record<Kind, Array<{ server: number; database: number; loader: number }>> = { native: [], xapi: [], segment: [] };
    let non2xx = 0;
    // BENCH_STANDARDS_KINDS=xapi (a comma list) runs only those, e.g. to profile one path.
    const order = (process.env.BENCH_STANDARDS_KINDS?.split(",") ?? ["native", "xapi", "segment"]) as Kind[];
    // A short warm-up of each path, then alternating rounds (order rotated each round).
    for (const kind of order)
      await autocannon({
        url: `http://127.0.0.1:${engine.port}${PATHS[kind]}`,
        connections: 2,
        amount: 50,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${engine.secret}`, "x-experience-api-version": "1.0.3" },
        requests: [{ setupRequest: (req) => ({ ...req, body: body(kind) }) }],
      });
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < order.length; i++) {
        const kind = order[(i + round) % order.length];
        const r = await load(engine.port, engine.secret, kind, client, engine.child.pid!);
        runs[kind].push(r.perSecond);
        cpu[kind].push({ server: r.serverMsPer1000, database: r.databaseMsPer1000, loader: r.loaderMsPer1000 });
        non2xx += r.non2xx;
      }
    }
    const native = median(runs.native);
    const figures = {
      "native /v1/events ×100: events/s stored (median)": Math.round(native),
      "xAPI statements ×100: events/s stored (median)": Math.round(median(runs.xapi)),
      "Segment /v1/batch ×100: events/s stored (median)": Math.round(median(runs.segment)),
      "xAPI ÷ native": Number((median(runs.xapi) / native).toFixed(3)),
      "Segment ÷ native": Number((median(runs.segment) / native).toFixed(3)),
      "runs (native | xAPI | Segment)": `${runs.native.map(Math.round).join(", ")} | ${runs.xapi.map(Math.round).join(", ")} | ${runs.segment.map(Math.round).join(", ")}`,
      "CPU ms per 1,000 events stored, engine + database (native | xAPI | Segment)": (["native", "xapi", "segment"] as Kind[])
        .map((k) => `${Math.round(median(cpu[k].map((c) => c.server)))} + ${Math.round(median(cpu[k].map((c) => c.database)))}`)
        .join(" | "),
      "load generator's CPU ms per 1,000 events stored (native | xAPI | Segment)": (["native", "xapi", "segment"] as Kind[]).map((k) => Math.round(median(cpu[k].map((c) => c.loader)))).join(" | "),
      "non-2xx": non2xx,
      target: "xAPI and Segment each ≥ 0.7× native",
    };
    console.table(figures);
    return figures;
  } finally {
    await client.end();
    engine.child.kill();
  }
}

if (require.main === module) {
  runStandardsBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
