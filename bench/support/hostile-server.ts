/**
 * The engine's API in a process of its own for `npm run bench -- hostile`: it measures its own event-loop
 * delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and its main thread's CPU time (Linux schedstat;
 * process.cpuUsage elsewhere) and reports them over IPC, so the figures are the server's alone, not the load
 * generator's. Messages: "start" (enable), "reset" (start a measurement), "report" (figures since the reset).
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { loadConfig } from "../../src/config";
import { createEngine, prepareDatabase } from "../../src/engine";
import { createLogger } from "../../src/lib/logger";
import { buildApp } from "../../src/http/app";
import { listen } from "../../src/http/server";
import { createApiKey } from "../../src/auth/api-keys";
import { emptyTables } from "../../src/db/empty-tables";
import { prepareHostileTargets } from "../../tests/factories/hostile-requests";

let cleanUp: () => Promise<void> = async () => undefined;
process.on("SIGTERM", () => void cleanUp().finally(() => process.exit(0)));

/** Delay percentiles in milliseconds (the histogram counts nanoseconds). */
export interface DelayFigures {
  p50: number;
  p99: number;
  max: number;
}

/** CPU time of the main thread (the event loop) in ms; the whole process's where /proc is missing. */
function mainThreadCpuMs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  }
}

function figures(histogram: IntervalHistogram): DelayFigures {
  const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
  return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, COACH_QUEUE_PREFIX: `bench-hostile-${process.pid}` });
  await prepareDatabase(config, createLogger("silent"));
  const ctx = await createEngine(config);
  cleanUp = () => ctx.queues.obliterateAll();
  await emptyTables(ctx.database.pool);
  const secret = (await createApiKey(ctx.prisma, { name: "bench", role: "author" }, "bench")).secret;
  const { port } = await listen(buildApp(ctx), 0);
  await prepareHostileTargets(ctx, async (method, path, body) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: method.toUpperCase(),
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify(body),
    });
    return res.status;
  });
  const scenario = monitorEventLoopDelay({ resolution: 1 });
  const overall = monitorEventLoopDelay({ resolution: 1 });
  let cpuAtReset = mainThreadCpuMs();
  process.on("message", (message) => {
    if (message === "reset") {
      scenario.reset();
      cpuAtReset = mainThreadCpuMs();
      process.send?.({ reset: true });
    } else if (message === "start") {
      scenario.enable();
      overall.enable();
      process.send?.({ started: true });
    } else if (message === "report") {
      process.send?.({ scenario: figures(scenario), overall: figures(overall), cpuMs: Number((mainThreadCpuMs() - cpuAtReset).toFixed(1)) });
    }
  });
  process.send?.({ port, secret });
}

void main();
