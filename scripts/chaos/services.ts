/**
 * The services a chaos run owns: a redis-server and a PostgreSQL cluster on ports of their own, started and
 * killed by the suite. Never the machine's shared Redis or PostgreSQL: the faults here (SIGKILL, SIGSTOP, an
 * empty restart, pg_ctl stop) would take down whatever else uses them.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { Client } from "pg";

const execFileAsync = promisify(execFile);

/** A TCP port nothing listens on right now (bound, then released by the OS). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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

export interface ChaosRedis {
  port: number;
  url: string;
  pid(): number;
  /** Sends a signal to the running redis-server (SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, and waits until the process is gone. */
  kill(): Promise<void>;
  /** A new, EMPTY redis-server on the same port (no persistence), once it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether redis-server and PostgreSQL's initdb/pg_ctl exist here (the suite needs both). */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) missing.push("redis-server");
  if (!findPostgresBin()) missing.push("PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin)");
  return missing;
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

/** A non-persistent redis-server (`--save ''`, no AOF): it comes back empty after a restart, as a cache-style Redis does. */
export async function startRedis(): Promise<ChaosRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const launch = () => spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  let child: ChildProcess = launch();
  const gone = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once("exit", () => r())));
  await until("redis-server answers", () => redisAnswers(url), 15_000);
  return {
    port,
    url,
    pid: () => child.pid!,
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

export interface ChaosPostgres {
  port: number;
  /** A URL for database `name` on this cluster (user postgres, trust). */
  url(name: string): string;
  /** pg_ctl stop (`fast`: clients are disconnected, the server shuts down cleanly). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): void;
}

function findPostgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
    const bin = join(root, version, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
  }
  return null;
}

/**
 * initdb + pg_ctl start in a temp directory, on a free port, listening on 127.0.0.1 only. Run as the postgres OS
 * user when the suite runs as root (PostgreSQL refuses root). fsync off: the faults here are of processes, not disks.
 */
export async function startPostgres(): Promise<ChaosPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL's initdb/pg_ctl not found under /usr/lib/postgresql");
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  const base = mkdtempSync(join(tmpdir(), "coach-chaos-pg-"));
  const dataDir = join(base, "data");
  const argv = (command: string, args: string[]): [string, string[]] => (asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, command), ...args]] : [join(bin, command), args]);
  const run = async (command: string, args: string[]) => {
    const [file, full] = argv(command, args);
    await execFileAsync(file, full, { timeout: 120_000 });
  };
  if (asRoot) {
    chmodSync(base, 0o755);
    const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(base, id("-u"), id("-g"));
  }
  await run("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"]);
  const settings = { port: String(port), listen_addresses: "127.0.0.1", unix_socket_directories: base, fsync: "off", max_connections: "300", synchronous_commit: "off" };
  const options = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(" ");
  let running = false;
  const server: ChaosPostgres = {
    port,
    url: (name) => `postgresql://postgres@127.0.0.1:${port}/${name}`,
    async stop(mode = "fast") {
      await run("pg_ctl", ["stop", "-D", dataDir, "-m", mode, "-w", "-t", "60"]);
      running = false;
    },
    async start() {
      await run("pg_ctl", ["start", "-D", dataDir, "-o", options, "-l", join(base, "server.log"), "-w", "-t", "60"]);
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

/** Runs `fn` with a connection to `url`, closed afterwards. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
