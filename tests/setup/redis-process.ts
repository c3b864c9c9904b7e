/**
 * A redis-server of a test's own, on a free port, without persistence (`--save ''`, no append-only file): a
 * cache-style Redis, which comes back EMPTY after a restart. For faults the shared Redis must never see:
 * SIGKILL, SIGSTOP, a restart that loses every key.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

export interface RedisProcess {
  port: number;
  url: string;
  /** The running redis-server (replaced by restart()). */
  child(): ChildProcess;
  /** Sends a signal to the running redis-server (SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, and waits for the process to be gone. */
  kill(): Promise<void>;
  /** Starts a new, empty redis-server on the same port and waits until it answers. */
  restart(): Promise<void>;
  /** Stops it for good (SIGCONT first, in case it is frozen). */
  stop(): Promise<void>;
}

/** Whether redis-server can be started here (a test without it is skipped with the reason printed). */
export function redisServerAvailable(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      client.disconnect();
    }
  }
}

/** Starts a private, non-persistent redis-server on a free port. */
export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const launch = () => spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  let child = launch();
  await waitUntilAnswering(url);
  const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once("exit", () => r())));
  const handle: RedisProcess = {
    port,
    url,
    child: () => child,
    signal(signal) {
      child.kill(signal);
    },
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async restart() {
      child = launch();
      await waitUntilAnswering(url);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      await exited(child);
    },
  };
  return handle;
}
