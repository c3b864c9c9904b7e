/**
 * Services of a run's own, for faults the machine's shared Redis and PostgreSQL must never see (SIGKILL, SIGSTOP,
 * a restart that loses every key, pg_ctl stop, a crash and its recovery): a redis-server and a PostgreSQL cluster
 * on ports of their own, started and stopped by whoever uses them. One implementation for the fault suite
 * (scripts/chaos), the security report and the tests (tests/integration, tests/chaos).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "../../src/lib/free-port";

const execFileAsync = promisify(execFile);

/** Polls `check` until it resolves truthy, or throws after `timeoutMs` with `what` and the last error. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Sends a signal to the running redis-server (SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, and waits until the process is gone. */
  kill(): Promise<void>;
  /** A new, EMPTY redis-server on the same port (no persistence), once it answers. */
  restart(): Promise<void>;
  /** Stops it for good (SIGCONT first, in case it is frozen). */
  stop(): Promise<void>;
}

/** Whether redis-server can be started here (a test without it is skipped with the reason printed). */
export function redisServerAvailable(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 1_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } finally {
    client.disconnect();
  }
}

/** A non-persistent redis-server (`--save ''`, no AOF) on a free port: it comes back empty after a restart, as a cache-style Redis does. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const launch = () => spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  let child: ChildProcess = launch();
  const gone = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once("exit", () => r())));
  await until("redis-server answers", () => redisAnswers(url), 15_000);
  return {
    port,
    url,
    signal: (signal) => void child.kill(signal),
    async kill() {
      child.kill("SIGKILL");
      await gone(child);
    },
    async restart() {
      child = launch();
      await until("redis-server answers after restart", () => redisAnswers(url), 15_000);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      await gone(child);
    },
  };
}

export interface PrivatePostgres {
  port: number;
  /** The `postgres` database (user postgres, trust). */
  url: string;
  /** A URL for database `name` on this cluster (user postgres, trust). */
  databaseUrl(name: string): string;
  dataDir: string;
  /** pg_ctl stop (`fast`: clients are disconnected, a clean shutdown; `immediate`: a crash, the next start replays the WAL). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** pg_ctl start; without `wait` it returns at once, while the server is still starting or recovering. */
  start(options?: { wait?: boolean }): Promise<void>;
  /** Stops the server (if running) and deletes its directory. */
  destroy(): void;
}

/** The directory holding initdb and pg_ctl (the newest version installed), or null when PostgreSQL is not installed. */
export function findInitdb(): string | null {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
      const bin = join(root, version, "bin");
      if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
    }
  }
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() ? join(which.stdout.trim(), "..") : null;
}

/**
 * initdb + pg_ctl start in a temp directory, on `port`, listening on 127.0.0.1 only, trust authentication for user
 * postgres; `settings` are extra server settings. Run as the postgres OS user when the caller runs as root
 * (PostgreSQL refuses root). fsync off: the faults here are of processes, not disks.
 */
export async function startPrivatePostgres(port: number, settings: Record<string, string> = {}): Promise<PrivatePostgres> {
  const bin = findInitdb();
  if (!bin) throw new Error("PostgreSQL's initdb/pg_ctl not found");
  const asRoot = userInfo().uid === 0;
  const base = mkdtempSync(join(tmpdir(), "coach-pg-"));
  const dataDir = join(base, "data");
  const argv = (command: string, args: string[]): [string, string[]] => (asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, command), ...args]] : [join(bin, command), args]);
  // Asynchronous, so an engine using the server keeps serving while pg_ctl works.
  const run = async (command: string, args: string[]) => {
    const [file, full] = argv(command, args);
    await execFileAsync(file, full, { timeout: 120_000 });
  };
  if (asRoot) {
    chmodSync(base, 0o755);
    const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(base, id("-u"), id("-g"));
  }
  try {
    await run("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"]);
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  const options = Object.entries({ port: String(port), listen_addresses: "127.0.0.1", unix_socket_directories: base, fsync: "off", ...settings })
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(" ");
  let running = false;
  const server: PrivatePostgres = {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    databaseUrl: (name) => `postgresql://postgres@127.0.0.1:${port}/${name}`,
    dataDir,
    async stop(mode = "fast") {
      await run("pg_ctl", ["stop", "-D", dataDir, "-m", mode, "-w", "-t", "60"]);
      running = false;
    },
    async start({ wait = true } = {}) {
      await run("pg_ctl", ["start", "-D", dataDir, "-o", options, "-l", join(base, "server.log"), ...(wait ? ["-w", "-t", "60"] : ["-W"])]);
      running = true;
    },
    destroy() {
      if (running) {
        const [file, full] = argv("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w"]);
        spawnSync(file, full, { stdio: "ignore" });
        running = false;
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    server.destroy();
    throw error;
  }
  return server;
}
