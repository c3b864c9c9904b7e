/**
 * A Redis of the engine's own, so that `npm start` on a fresh machine needs nothing running: with REDIS_URL
 * unset and nothing listening at the default address, the engine starts `redis-server` itself instead of
 * failing job after job. Redis then holds delayed deliveries and the maintenance schedules, so it keeps them on
 * disk (append-only file under `<data dir>/redis`, fsync every second) and they survive a restart.
 *
 * It lives and dies with the engine: it listens on 127.0.0.1 only, on a port of its own, with a password made
 * for this run; a small shell between the two holds a pipe from the engine and stops Redis (SIGTERM: it
 * flushes its file) when that pipe closes, which happens however the engine ends, kill -9 and crashes
 * included. It runs in a session of its own, so a Ctrl-C meant for the engine does not stop Redis before the
 * engine has finished with it. REDIS_URL set: this is never used.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import type { Config } from "../config";
import { freePort } from "../lib/free-port";
import type { Logger } from "../lib/logger";
import { acquirePidLock, isAlive } from "../lib/pid-lock";

export interface PrivateRedis {
  url: string;
  directory: string;
  port: number;
  /** The redis-server process. */
  pid: number;
  /** Stops Redis (it writes its file first) and waits for it. */
  stop(): Promise<void>;
}

/** How long Redis may take to answer after it was started (loading a large append-only file takes longer). */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const CONNECT_PROBE_MS = 1_000;

/**
 * Between the engine and redis-server: exits 127 when redis-server is not installed; otherwise starts it,
 * reports its pid, waits for its stdin (a pipe from the engine) to close, then stops it and waits for it.
 * Only shell builtins after the start, so it works whatever PATH holds.
 */
const KEEPER_SCRIPT = `
command -v redis-server >/dev/null 2>&1 || exit 127
redis-server "$1" </dev/null >/dev/null 2>&1 &
pid=$!
echo "$pid"
while read -r _; do :; done
kill -TERM "$pid" 2>/dev/null
wait "$pid"
`;

/**
 * The configuration with a Redis to use: unchanged when REDIS_URL is set or something listens at the default
 * address; otherwise pointing at a private redis-server started now. Throws a one-line explanation (how to
 * install Redis) when redis-server is missing.
 */
export async function withRedis(config: Config, log: Logger): Promise<{ config: Config; redis: PrivateRedis | null }> {
  // A cluster (REDIS_CLUSTER_NODES) is never replaced by a private single Redis, whatever answers at REDIS_URL.
  if (config.redisClusterNodes.length > 0 || config.redisUrlExplicit || (await isListening(config.redisUrl))) return { config, redis: null };
  const { hostname, port } = new URL(config.redisUrl);
  const address = `${hostname}:${port || 6379}`;
  const redis = await startPrivateRedis(resolve(config.dataDir, "redis"), address);
  log.info(
    { directory: redis.directory, port: redis.port, pid: redis.pid },
    `no Redis at ${address} and REDIS_URL is unset: started a private redis-server (data in ${redis.directory}, stopped with the engine); set REDIS_URL to use your own`,
  );
  return { config: Object.freeze({ ...config, redisUrl: redis.url }), redis };
}

/** Whether anything accepts a TCP connection at the URL's address (a Redis that then refuses us is still "there"). */
function isListening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(CONNECT_PROBE_MS, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Starts redis-server on `directory` (created if missing) and waits until it answers. */
export async function startPrivateRedis(directory: string, missingAt = "127.0.0.1:6379"): Promise<PrivateRedis> {
  mkdirSync(directory, { recursive: true });
  const unlock = acquirePidLock(
    join(directory, "..", "redis.lock"),
    (owner) => new Error(`the private Redis in ${directory} is in use by process ${owner}; stop it, or set REDIS_URL to share one Redis between processes`),
  );
  try {
    const port = await freePort();
    const password = randomBytes(24).toString("hex");
    const configFile = join(directory, "redis.conf");
    writeFileSync(configFile, redisConfig(directory, port, password), { mode: 0o600 });
    chmodSync(configFile, 0o600); // it holds the password, whoever created the file first
    const keeper = spawn("/bin/sh", ["-c", KEEPER_SCRIPT, "coach-redis-keeper", configFile], { stdio: ["pipe", "pipe", "ignore"], detached: true });
    const pid = await keeperStarted(keeper, missingAt);
    const url = `redis://:${password}@127.0.0.1:${port}`;
    const stop = async () => {
      keeper.stdin!.end();
      if (!(await exitedWithin(keeper, STOP_TIMEOUT_MS))) killGroup(keeper);
      unlock();
    };
    try {
      await answersPing(url, START_TIMEOUT_MS, () => keeper.exitCode !== null || !isRunning(pid));
    } catch (error) {
      await stop();
      throw new Error(`the private redis-server did not start: ${(error as Error).message}${logTail(directory)}`);
    }
    // The pipe and the keeper must not keep this process alive on their own.
    keeper.unref();
    (keeper.stdin as unknown as { unref?: () => void }).unref?.();
    return { url, directory, port, pid, stop };
  } catch (error) {
    unlock();
    throw error;
  }
}

function redisConfig(directory: string, port: number, password: string): string {
  return [
    `port ${port}`,
    "bind 127.0.0.1",
    "protected-mode yes",
    `dir ${JSON.stringify(directory)}`,
    `logfile ${JSON.stringify(join(directory, "redis.log"))}`,
    "daemonize no",
    // The engine's delayed deliveries and schedules live here: every write is logged, fsynced each second.
    "appendonly yes",
    "appendfsync everysec",
    'save ""',
    // BullMQ needs every key kept.
    "maxmemory-policy noeviction",
    `requirepass ${password}`,
    "",
  ].join("\n");
}

/** Resolves with redis-server's pid once the keeper has started it; a one-line install hint when it is missing. */
function keeperStarted(keeper: ChildProcess, missingAt: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    keeper.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const line = /^(\d+)\n/.exec(out);
      if (!line) return;
      keeper.stdout!.destroy(); // nothing more comes: the keeper only waits now
      resolve(Number(line[1]));
    });
    keeper.once("error", reject);
    keeper.once("exit", (code) => {
      if (code === 127) {
        reject(new Error(`Redis is not running at ${missingAt} and redis-server is not installed: install it (apt-get install redis-server, or brew install redis) or set REDIS_URL`));
      } else reject(new Error(`the private redis-server exited at once (code ${code})`));
    });
  });
}

async function answersPing(url: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (gone()) throw new Error("redis-server exited");
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      if ((await redis.ping()) === "PONG") return;
    } catch (error) {
      last = (error as Error).message; // LOADING while it reads its file, refused before it listens
    } finally {
      redis.disconnect();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer within ${timeoutMs} ms (${last})`);
}

function logTail(directory: string): string {
  const file = join(directory, "redis.log");
  if (!existsSync(file)) return "";
  const lines = readFileSync(file, "utf8").trim().split("\n").slice(-3);
  return lines.length ? `; its log (${file}) ends: ${lines.join(" | ")}` : "";
}

function exitedWithin(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Alive and not a zombie: redis-server that exited is not reaped by the keeper until the keeper stops waiting. */
function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return true; // no /proc (macOS): signal 0 is all there is
  }
}
