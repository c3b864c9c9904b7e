/**
 * The engine as operators run it: a real process (`node --import tsx src/main.ts`, or `npm start`) with its
 * own environment, its output captured, its port read from its log. For tests of starting and stopping,
 * which an in-process engine cannot show (signals, exit codes, several processes racing one database).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { Client } from "pg";
import { captureOutput, type Exit } from "../../scripts/support/process-output";
import { ADMIN_URL, templateDbName, withDatabase } from "./databases";

/** The checkout whose engine runs: this one, or COACH_TEST_ENGINE_ROOT (to show a test failing on another tree). */
export const ROOT = process.env.COACH_TEST_ENGINE_ROOT ?? join(__dirname, "..", "..");

export interface EngineProcess {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (checked as output arrives); rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The API's port, from its "listening" log line. */
  port(timeoutMs?: number): Promise<number>;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
  /** Kills the process group, whatever is left of it (cleanup for failed tests). */
  killAll(): void;
}

/**
 * The environment of a spawned engine: this test process's, without what the Jest setup adds for in-process
 * engines (its DATABASE_URL and fixed admin key), logging at info so the test can read the log.
 */
export function engineEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "info", PORT: "0", COACH_DB_POOL_SIZE: "4" };
  for (const name of ["DATABASE_URL", "COACH_ADMIN_KEY", "NODE_OPTIONS", "JEST_WORKER_ID", "npm_lifecycle_event", "npm_lifecycle_script"]) delete env[name];
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

const spawned = new Set<EngineProcess>();

/**
 * Kills every process group this test file spawned. For afterAll: a test that times out never reaches its own
 * `finally`, and an engine left writing to the pipe of a Jest worker that is gone blocks on it forever.
 */
export function killAllSpawned(): void {
  for (const engine of spawned) engine.killAll();
  spawned.clear();
}

/** Starts `node --import tsx src/main.ts` (or another command) in the repository, in a process group of its own. */
export function spawnEngine(env: NodeJS.ProcessEnv, command: string[] = [process.execPath, "--import", "tsx", "src/main.ts"]): EngineProcess {
  const child = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const out = captureOutput(child, `process ${child.pid}`);

  const engine: EngineProcess = {
    child,
    pid: child.pid!,
    output: out.text,
    waitForOutput: out.waitFor,
    port: async (timeoutMs) => Number((await out.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, timeoutMs))[1]),
    exited: out.exited,
    killAll() {
      // The whole group, even when its leader has exited: what it started may still run (npm's children).
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
  spawned.add(engine);
  return engine;
}

/** Resolves with how the process exited, or null when it is still running after `timeoutMs`. */
export async function exitWithin(engine: EngineProcess, timeoutMs: number): Promise<Exit | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return await Promise.race([engine.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends SIGTERM to each process, waits up to `timeoutMs` for them, then kills what is left (test cleanup). */
export async function stopAll(engines: EngineProcess[], timeoutMs = 20_000): Promise<void> {
  for (const engine of engines) engine.child.kill("SIGTERM");
  await Promise.all(engines.map((engine) => exitWithin(engine, timeoutMs)));
  for (const engine of engines) engine.killAll();
}

/**
 * A database name no other test uses; the engine creates it (or the test does: `createMigrated` copies the run's
 * migrated template, for tests about something other than a first migration), `drop` removes it.
 */
export function scratchDatabase(label: string): { name: string; url: string; createMigrated(): Promise<void>; drop(): Promise<void> } {
  const name = `coach_${label}_${process.pid}_${randomUUID().slice(0, 8)}`;
  return {
    name,
    url: withDatabase(name),
    async createMigrated() {
      const admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDbName()}"`);
      } finally {
        await admin.end();
      }
    },
    async drop() {
      const admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A TCP port nothing listens on right now (bound then released by the OS). */
export { freePort as closedPort } from "../../src/lib/free-port";

/** Whether a process exists and has not exited (a zombie waiting for its parent to reap it counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A unique BullMQ prefix for one test's processes. */
export function uniquePrefix(label: string): string {
  return `coach-test-${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every Redis key under a BullMQ prefix that spawned engines used (they cannot obliterate after exiting). */
export async function deleteQueueKeys(prefix: string, redisUrl = "redis://127.0.0.1:6379"): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `{${prefix}}*`, "COUNT", 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** Every process below `pid` (children, theirs, …), read from /proc (Linux). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may hold spaces and parentheses: the fields after the last ")" are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
