/**
 * Real engine processes, as operators run them: `node --import tsx src/main.ts` in a process group of its own,
 * with the role, database, Redis and queue prefix the scenario gives, its log kept (in memory and in a file) so
 * the suite can wait for "listening" and show what happened when a check fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { captureOutput, type Exit } from "../support/process-output";

/** The checkout whose engine runs (this one). */
export const ROOT = join(__dirname, "..", "..");

/** The preload that sets a process's clock 5 s behind (scenario 6). */
export const CLOCK_BEHIND = join(__dirname, "clock-behind.mjs");

export type Role = "api" | "worker" | "all";

export interface EngineProcess {
  name: string;
  role: Role;
  pid: number;
  child: ChildProcess;
  /** The API's base URL, once it logged "listening" (throws for a worker). */
  url(timeoutMs?: number): Promise<string>;
  /** The first match of `pattern` in the output; rejects when the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves once the process can serve: "listening" for api/all, "workers started" for worker/all. */
  ready(timeoutMs?: number): Promise<void>;
  output(): string;
  exited: Promise<Exit>;
  running(): boolean;
  /** A signal to the whole process group (kill -9 of "the whole engine" means everything it started). */
  signal(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  name: string;
  role: Role;
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  adminKey?: string;
  /** Extra `--import` preloads (before tsx). */
  preload?: string[];
  env?: Record<string, string>;
  logDir: string;
}

/** The environment of an engine: the suite's own, minus what would point it elsewhere, plus the scenario's. */
function engineEnv(options: SpawnOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(npm_|COACH_|JEST_)/.test(name) || ["DATABASE_URL", "REDIS_URL", "REDIS_CLUSTER_NODES", "NODE_OPTIONS", "PORT"].includes(name)) delete env[name];
  return {
    ...env,
    PORT: "0",
    LOG_LEVEL: "info",
    COACH_PROCESS: options.role,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    COACH_QUEUE_PREFIX: options.prefix,
    COACH_DB_POOL_SIZE: "10",
    COACH_SWEEP_AFTER_MS: "3000",
    COACH_SWEEP_EVERY_MS: "1000",
    COACH_JOB_ATTEMPTS: "3",
    COACH_SHUTDOWN_TIMEOUT_MS: "10000",
    COACH_AUTH_FAILURE_LIMIT: "1000000",
    ...(options.adminKey ? { COACH_ADMIN_KEY: options.adminKey } : {}),
    ...options.env,
  };
}

/** Starts one engine process; its output goes to `<logDir>/<name>.log` and stays readable in memory. */
export function spawnEngine(options: SpawnOptions): EngineProcess {
  const args = [...(options.preload ?? []).flatMap((p) => ["--import", p]), "--import", "tsx", "src/main.ts"];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: engineEnv(options), stdio: ["ignore", "pipe", "pipe"], detached: true });
  const file: WriteStream = createWriteStream(join(options.logDir, `${options.name}.log`));
  // Only the recent output is kept and searched: a long run logs a lot.
  const out = captureOutput(child, options.name, { onChunk: (chunk) => file.write(chunk), keepChars: 1_000_000 });
  void out.exited.then(() => file.end());
  const waitFor = out.waitFor;
  const url = async (timeoutMs?: number) => {
    if (options.role === "worker") throw new Error(`${options.name} is a worker: it has no API`);
    return `http://127.0.0.1:${(await waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, timeoutMs))[1]}`;
  };
  return {
    name: options.name,
    role: options.role,
    pid: child.pid!,
    child,
    url,
    waitFor,
    async ready(timeoutMs = 120_000) {
      if (options.role !== "worker") await url(timeoutMs);
      if (options.role !== "api") await waitFor(/"msg":"workers started"/, timeoutMs);
    },
    output: out.text,
    exited: out.exited,
    running: out.running,
    signal(signal) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    },
  };
}

/** Sends SIGTERM to each running process, waits up to `timeoutMs`, then SIGKILLs what is left (scenario cleanup). */
export async function stopEngines(engines: EngineProcess[], timeoutMs = 15_000): Promise<void> {
  const running = engines.filter((e) => e.running());
  for (const engine of running) engine.signal("SIGTERM");
  await Promise.race([Promise.all(running.map((e) => e.exited)), new Promise((r) => setTimeout(r, timeoutMs))]);
  for (const engine of engines) if (engine.running()) engine.signal("SIGKILL");
  await Promise.all(running.map((e) => e.exited));
}
