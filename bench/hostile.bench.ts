/**
 * Issue 12's worst inputs for templates, previews, rules and segments (tests/factories/hostile-requests.ts),
 * sent one at a time (3 sends each) to the engine's API in a child process, which records its own event-loop
 * delay and its main thread's CPU time per request, and the delay over the whole run. The README's security
 * section quotes these figures. Event-loop delay is wall-clock: on a machine shared with other work it also
 * counts the time the server waited for a core, which the CPU figure does not.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { hostileRequests, warmUpRequests, type HostileRequest } from "../tests/factories/hostile-requests";
import type { DelayFigures } from "./support/hostile-server";
import { ENGINE_NODE_FLAGS } from "./support/engine-node-flags";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach_bench_hostile";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Server {
  child: ChildProcess;
  port: number;
  secret: string;
}

function startServer(): Promise<Server> {
  const child = fork(join(__dirname, "support", "hostile-server.ts"), [], {
    execArgv: [...ENGINE_NODE_FLAGS, "--import", "tsx"],
    env: { ...process.env, DATABASE_URL, LOG_LEVEL: "silent", COACH_PROCESS: "api", COACH_ADMIN_KEY: "coach_admin_bench-admin-key-0001" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, ...(m as { port: number; secret: string }) }));
    child.once("exit", (code) => reject(new Error(`hostile server exited with ${code}`)));
  });
}

/** Sends an IPC message and waits for the server's answer. */
function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (answer) => resolve(answer as T));
    child.send(message);
  });
}

/** Runs the hostile-input benchmark and returns the overall event-loop delay. */
export async function runHostileBench(): Promise<DelayFigures> {
  const server = await startServer();
  const send = async (request: HostileRequest): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${server.port}${request.path}`, {
      method: request.method.toUpperCase(),
      headers: { "content-type": "application/json", authorization: `Bearer ${server.secret}` },
      body: JSON.stringify(request.body()),
    });
    await res.arrayBuffer();
    return res.status;
  };
  try {
    for (const request of warmUpRequests()) for (let i = 0; i < 3; i++) await send(request);
    await ask(server.child, "start");
    const rows: Array<Record<string, string | number>> = [];
    for (const request of hostileRequests()) {
      const statuses = new Set<number>();
      let delayMax = 0;
      let cpuMax = 0;
      for (let round = 0; round < ROUNDS; round++) {
        await ask(server.child, "reset");
        statuses.add(await send(request));
        const { scenario, cpuMs } = await ask<{ scenario: DelayFigures; cpuMs: number }>(server.child, "report");
        delayMax = Math.max(delayMax, scenario.max);
        cpuMax = Math.max(cpuMax, cpuMs);
      }
      const status = [...statuses].join("/");
      rows.push({
        request: request.name,
        status: status === String(request.status) ? status : `${status} (expected ${request.status})`,
        "main thread CPU ms (max)": cpuMax,
        "loop delay ms (max)": delayMax,
      });
    }
    const { overall } = await ask<{ overall: DelayFigures }>(server.child, "report");
    console.table(rows);
    const cpu = rows.map((row) => Number(row["main thread CPU ms (max)"]));
    console.table({
      "whole run": { requests: rows.length * ROUNDS, "loop delay p50 ms": overall.p50, "p99 ms": overall.p99, "max ms": overall.max, "largest CPU ms of one request": Math.max(...cpu) },
    });
    return overall;
  } finally {
    server.child.kill("SIGTERM");
  }
}

if (require.main === module) {
  runHostileBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
