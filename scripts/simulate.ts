/**
 * `npm run simulate [-- --workers 2 --out docs/simulation/latest.csv --sections main,small,lift --knobs '{"priorStrength":6}']`
 * (`--seeds`, `--learners`, `--days`, `--votes-for-share` override the sections' scale, for trying other scales)
 * `npm run simulate -- --sections small --reuse main,lift` runs only `small` and takes main's and lift's per-run rows
 * from the previous run's …-runs.csv (`--reuse-from`, by default the one beside `--out`), refused unless they were
 * run with the same knobs at the same scale (simulator/runs-csv.ts); the report says which run each comes from.
 * `npm run simulate -- --tune` chooses the knobs on the tuning family instead (simulator/tune.ts).
 *
 * Runs the learner simulator (simulator/) through the real engine: the plan's shards (simulator/plan.ts) are
 * shared by `--workers` processes, each with its own engine, database (coach_simulator_<n>, or
 * SIMULATOR_DATABASE_URL with _<n> appended) and queue prefix. Prints the targets and the distributions over
 * seeds, and writes them as CSV (`--out`, and the per-seed rows beside it as …-runs.csv).
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../src/engine";
import { ManualClock } from "../src/lib/clock";
import { createLogger } from "../src/lib/logger";
import { LIFT, MAIN, SMALL, planShards, type Plan, type Section } from "../simulator/plan";
import { CHOSEN_KNOBS, describeKnobs, knobsKey, knobsWith, type Knobs } from "../simulator/knobs";
import { runShard, START, type Shard, type ShardResult } from "../simulator/shard";
import { summarize } from "../simulator/summarize";
import { distributionsCsv, formatReport } from "../simulator/report";
import { reusedRows, runsCsv, type RunRows } from "../simulator/runs-csv";
import { tune } from "../simulator/tune";

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "2" },
    out: { type: "string", default: "docs/simulation/latest.csv" },
    sections: { type: "string", default: "main,small,lift" },
    reuse: { type: "string", default: "" },
    "reuse-from": { type: "string" },
    seeds: { type: "string" },
    learners: { type: "string" },
    days: { type: "string" },
    "votes-for-share": { type: "string" },
    knobs: { type: "string", default: "{}" },
    tune: { type: "boolean", default: false },
    child: { type: "string" },
  },
});

const BASE_URL = process.env.SIMULATOR_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_simulator";

/** A child: opens its engine on its own database, runs the shards it is sent, sends back their results. */
async function child(index: number): Promise<void> {
  const url = new URL(BASE_URL);
  url.pathname = `${url.pathname}_${index}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    COACH_DB_POOL_SIZE: "10",
    COACH_QUEUE_PREFIX: `coach-sim-${randomUUID().slice(0, 8)}`,
    // The simulator's database is throwaway; a random admin key keeps a generated one from being printed.
    COACH_ADMIN_KEY: `coach_admin_simulator-${randomUUID()}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  });
  const log = createLogger(config.logLevel);
  await prepareDatabase(config, log);
  const clock = new ManualClock(START);
  const ctx = await createEngine(config, { clock, log });
  const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  process.on("message", (message: { shard?: Shard; done?: true }) => {
    void (async () => {
      if (message.done) {
        await ctx.queues.obliterateAll(5_000);
        await closeEngine(ctx);
        process.exit(0);
      }
      try {
        const result = await runShard(ctx, clock, message.shard!, (m) => void send({ progress: m }));
        await send({ result });
      } catch (error) {
        await send({ error: (error as Error).stack ?? String(error) });
      }
    })();
  });
  await send({ ready: true });
}

/** Runs `shards` on `workers` child processes; resolves with every result. */
async function runParallel(shards: Shard[], workers: number, say: (m: string) => void): Promise<ShardResult[]> {
  const queue = [...shards];
  const results: ShardResult[] = [];
  const children: ChildProcess[] = [];
  await Promise.all(
    Array.from(
      { length: Math.min(workers, shards.length) },
      (_, index) =>
        new Promise<void>((resolve, reject) => {
          const worker = fork(process.argv[1], ["--child", String(index)], { execArgv: process.execArgv });
          children.push(worker);
          const next = () => {
            const shard = queue.shift();
            if (!shard) {
              worker.send({ done: true });
              return;
            }
            say(`worker ${index}: ${shard.name}`);
            worker.send({ shard });
          };
          worker.on("message", (m: { ready?: true; progress?: string; result?: ShardResult; error?: string }) => {
            if (m.progress) say(`worker ${index}: ${m.progress}`);
            if (m.error) {
              for (const c of children) c.kill();
              reject(new Error(m.error));
            }
            if (m.result) {
              results.push(m.result);
              say(`worker ${index}: ${m.result.shard} done in ${(m.result.elapsedMs / 1000).toFixed(0)} s`);
            }
            if (m.ready || m.result) next();
          });
          worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker ${index} exited with ${code}`))));
        }),
    ),
  );
  return results;
}

async function main(): Promise<void> {
  if (values.child !== undefined) return child(Number(values.child));
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  const say = (m: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${m}`);
  const knobs: Knobs = knobsWith(CHOSEN_KNOBS, JSON.parse(values.knobs) as Partial<Knobs>);
  const workers = Number(values.workers);
  if (values.tune) {
    await tune((shards) => runParallel(shards, workers, say), values.out.replace(/latest\.csv$/, "tuning.csv"), say);
    return;
  }
  const known: Record<string, Section> = { main: MAIN, small: SMALL, lift: LIFT };
  const named = (list: string) =>
    list
      .split(",")
      .filter((name) => name !== "")
      .map((name) => {
        const section = known[name];
        if (!section) throw new Error(`Unknown section ${name} (known: ${Object.keys(known).join(", ")})`);
        return section;
      });
  const sections = named(values.sections).map((section) => {
    // Overrides for trying other scales; the reported run uses the sections as planned.
    return {
      ...section,
      ...(values.seeds && { seeds: Number(values.seeds) }),
      ...(values.learners && { learners: Number(values.learners) }),
      ...(values.days && { days: Number(values.days) }),
      ...(values["votes-for-share"] && { votesForShare: Number(values["votes-for-share"]) }),
    };
  });
  const reusing = named(values.reuse);
  if (reusing.some((r) => sections.some((s) => s.name === r.name))) throw new Error("A section is either run or reused, not both");
  const runsFile = values.out.replace(/\.csv$/, "-runs.csv");
  const reuseFrom = values["reuse-from"] ?? runsFile;
  // Read (and refuse) before running anything: the run would otherwise be lost to a mismatch found at the end.
  const reused: RunRows = reusing.length ? reusedRows(readFileSync(reuseFrom, "utf8"), reusing, knobs, reuseFrom) : { seeds: [], lift: [], origins: {} };
  const runId = new Date(started).toISOString().slice(0, 16) + "Z";
  const plan: Plan = { sections, modelEveryHours: 1, knobs };
  const shards = planShards(plan);
  say(`${shards.length} shards on ${workers} processes; knobs: ${describeKnobs(knobs)}`);
  const results = await runParallel(shards, workers, say);
  const everySection = [MAIN, SMALL, LIFT].map((s) => sections.find((x) => x.name === s.name) ?? reusing.find((x) => x.name === s.name)).filter((s) => s !== undefined);
  const summary = summarize(results, everySection, reused);
  const elapsed = (Date.now() - started) / 1000;
  const failed = results.reduce((n, r) => n + r.failedMessages, 0);
  const requeued = results.reduce((n, r) => n + r.timings.requeued.events + r.timings.requeued.messages, 0);
  const report = formatReport(summary, everySection, [
    `npm run simulate — ${new Date().toISOString().slice(0, 10)}, ${elapsed.toFixed(0)} s wall clock on ${workers} processes (load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end); knobs: ${describeKnobs(knobs)}`,
    `messages the engine marked failed: ${failed}; events and messages the sweeper had to enqueue again: ${requeued}${reusing.length ? " (in the sections run now)" : ""}`,
    ...(reusing.length ? [`sections run now (run ${runId}): ${sections.map((s) => s.name).join(", ") || "none"}; reused from ${reuseFrom}: ${reusedLine(reused)}`] : []),
  ]);
  const text = `${report}\n\nWhere the time went (summed over shards, s): ${timingLine(results)}\n${results.map((r) => `  ${r.shard}: ${(r.elapsedMs / 1000).toFixed(0)} s`).join("\n")}`;
  console.log(`\n${text}`);
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, distributionsCsv(summary));
  const origins = {
    ...reused.origins,
    ...Object.fromEntries(sections.map((s) => [s.name, { run: runId, knobs: knobsKey(knobs), learners: s.learners, days: s.days, votesForShare: s.votesForShare }])),
  };
  writeFileSync(runsFile, runsCsv({ seeds: summary.seeds, lift: summary.lift, origins }));
  writeFileSync(values.out.replace(/\.csv$/, ".txt"), `${text}\n`);
  say(`wrote ${values.out}, ${values.out.replace(/\.csv$/, "-runs.csv")} and ${values.out.replace(/\.csv$/, ".txt")}`);
  process.exitCode = summary.targets.every((t) => t.met) && failed === 0 && requeued === 0 ? 0 : 1;
}

/** "main, lift (run 2026-12-02; same knobs and scale)", grouped by the run they come from. */
function reusedLine(reused: RunRows): string {
  const byRun = new Map<string, string[]>();
  for (const [name, o] of Object.entries(reused.origins)) byRun.set(o.run, [...(byRun.get(o.run) ?? []), name]);
  return [...byRun].map(([run, names]) => `${names.join(", ")} (run ${run}; same knobs and scale, checked)`).join("; ");
}

function timingLine(results: ShardResult[]): string {
  const sum = (k: "ingestMs" | "matchAndDeliverMs" | "feedbackMs" | "learningModelMs") => (results.reduce((s, r) => s + r.timings[k], 0) / 1000).toFixed(0);
  return `ingest ${sum("ingestMs")}, matching + delivery (queues) ${sum("matchAndDeliverMs")}, feedback ${sum("feedbackMs")}, learning-model job ${sum("learningModelMs")}`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
