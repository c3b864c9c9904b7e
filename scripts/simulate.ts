/**
 * `npm run simulate [-- --seed s --learners 2000 --days 42 --lift-runs 20 --gate '{"priorStrength":6}']` (about 30 minutes on 2 cores)
 * Runs the learner simulator (simulator/) against a real engine on its own database and prints the
 * learning loop on versus off side by side, the lift check, and whether each target is met.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../src/engine";
import { ManualClock } from "../src/lib/clock";
import { createLogger } from "../src/lib/logger";
import { simulate, START, type SimulationReport } from "../simulator/simulate";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "coach" },
    learners: { type: "string", default: "2000" },
    days: { type: "string", default: "42" },
    "lift-runs": { type: "string", default: "20" },
    "lift-learners": { type: "string", default: "400" },
    "lift-days": { type: "string", default: "10" },
    "votes-for-share": { type: "string", default: "2000" },
    gate: { type: "string", default: "{}" },
  },
});

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: process.env.SIMULATOR_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_simulator",
    COACH_QUEUE_PREFIX: `coach-sim-${randomUUID().slice(0, 8)}`,
    // The simulator's database is throwaway; a random admin key keeps a generated one from being printed.
    COACH_ADMIN_KEY: `coach_admin_simulator-${randomUUID()}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  });
  const log = createLogger(config.logLevel);
  await prepareDatabase(config, log);
  const clock = new ManualClock(START);
  const ctx = await createEngine(config, { clock, log });
  const started = Date.now();
  try {
    const report = await simulate(ctx, clock, {
      seed: values.seed, learners: Number(values.learners), days: Number(values.days),
      liftRuns: Number(values["lift-runs"]), liftLearners: Number(values["lift-learners"]), liftDays: Number(values["lift-days"]),
      votesForShare: Number(values["votes-for-share"]), gate: JSON.parse(values.gate) as Record<string, unknown>,
      progress: (m) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${m}`),
    });
    print(report);
    process.exitCode = report.targets.every((t) => t.met) ? 0 : 1;
  } finally {
    await ctx.queues.obliterateAll(5_000);
    await closeEngine(ctx);
  }
}

function print(r: SimulationReport): void {
  const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
  const { off, bandit, on } = r.arms;
  console.log(`\nTrue helpful rates: A ${pct(r.trueRates.A)}, B ${pct(r.trueRates.B)} (best: ${r.best})\n`);
  const rows: Array<[string, (a: typeof off) => string]> = [
    ["messages delivered", (a) => String(a.delivered)],
    ["messages per learner", (a) => a.messagesPerLearner.toFixed(2)],
    ["helpful votes", (a) => String(a.helpful)],
    ["not-helpful votes", (a) => String(a.notHelpful)],
    ["expected helpful votes", (a) => a.expectedHelpful.toFixed(1)],
    ["expected not-helpful votes", (a) => a.expectedNotHelpful.toFixed(1)],
    ["helpful rate (of votes)", (a) => pct(a.helpfulRate)],
    ["not-helpful per message", (a) => a.notHelpfulPerMessage.toFixed(3)],
    ["share on best, by week", (a) => a.shareOnBestByWeek.map((s) => pct(s)).join(" ")],
    [`share on best after ${r.options.votesForShare} votes`, (a) => `${pct(a.shareOnBestAfterVotes)} (n=${a.assignmentsAfterVotes})`],
    ["regret (helpful votes lost)", (a) => a.regret.toFixed(1)],
    ["regret per message", (a) => a.regretPerMessage.toFixed(4)],
  ];
  const width = 36;
  console.log(["".padEnd(width), "loop OFF".padEnd(34), "bandit only".padEnd(34), "loop ON"].join(" "));
  for (const [label, f] of rows) console.log([label.padEnd(width), f(off).padEnd(34), f(bandit).padEnd(34), f(on)].join(" "));
  console.log(`\nHoldout lift on ${"module.completed"} within 7 days (loop off runs, ${r.lift.length} seeds):`);
  for (const l of r.lift) {
    console.log(`  ${l.seed.padEnd(20)} measured ${l.estimate?.toFixed(3) ?? "—"} [${l.interval?.map((x) => x.toFixed(3)).join(", ") ?? "—"}]  true ${l.trueLift.toFixed(3)}  ${l.covered ? "covered" : "MISSED"}  (sent ${l.learners.sent}, held out ${l.learners.heldOut})`);
  }
  console.log("\nTargets:");
  for (const t of r.targets) console.log(`  ${t.met ? "MET    " : "NOT MET"}  ${t.name}: ${t.value}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
