/**
 * A real Redis Cluster of a test's own: three redis-server primaries with `--cluster-enabled yes` on free ports
 * (their cluster-bus ports, port + 10000, free too), joined by `redis-cli --cluster create`, in a temporary
 * directory that is removed afterwards. Nothing persistent, nothing shared with the machine's Redis.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { waitFor } from "./wait-for";

export interface RedisCluster {
  /** `127.0.0.1:port` of each primary, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** The slot of a key (CLUSTER KEYSLOT). */
  slotOf(key: string): Promise<number>;
  /** `127.0.0.1:port` of the primary that owns a key's slot. */
  nodeOf(key: string): Promise<string>;
  /** SIGKILLs one primary (its slots become unavailable) and waits for it to be gone. */
  kill(node: string): Promise<void>;
  /** Starts a killed primary again, empty, with its cluster config (so it takes its slots back); waits until the cluster is ok. */
  restart(node: string): Promise<void>;
  /** A single-node client on one primary (the caller disconnects it). */
  client(node: string): Redis;
  /** Stops the servers and removes their files. */
  stop(): Promise<void>;
}

/** Why a cluster cannot be started here (null: it can): the test is skipped with this printed. */
export function clusterUnavailableReason(): string | null {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) return "redis-server is not installed";
  if (spawnSync("redis-cli", ["--version"], { stdio: "ignore" }).status !== 0) return "redis-cli is not installed";
  return null;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port whose cluster-bus port (+10000) is free as well. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) {
      taken.add(port).add(port + 10_000);
      return port;
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

async function answers(port: number, check: (client: Redis) => Promise<boolean>): Promise<boolean> {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return await check(client);
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Starts three primaries, creates the cluster, and waits until every node says cluster_state:ok. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "coach-cluster-"));
  const taken = new Set<number>();
  const ports = [await freeClusterPort(taken), await freeClusterPort(taken), await freeClusterPort(taken)];
  const launch = (port: number) =>
    spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: "ignore" },
    );
  const children = ports.map(launch);
  const clusterOk = async () => {
    for (const port of ports) {
      await waitFor(
        () => answers(port, async (c) => /cluster_state:ok/.test(await c.cluster("INFO"))),
        (ok) => ok,
      );
    }
  };
  const stop = async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(children.map(exited));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports)
      await waitFor(
        () => answers(port, async (c) => (await c.ping()) === "PONG"),
        (up) => up,
      );
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    const created = spawnSync("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8", timeout: 60_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await clusterOk();
    const admin = new Redis({ port: ports[0], host: "127.0.0.1", maxRetriesPerRequest: 1 });
    admin.on("error", () => undefined);
    const slotOf = async (key: string) => Number(await admin.call("CLUSTER", "KEYSLOT", key));
    const nodeOf = async (key: string) => {
      const slot = await slotOf(key);
      const ranges = (await admin.call("CLUSTER", "SLOTS")) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>;
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!owner) throw new Error(`no node owns slot ${slot}`);
      return `127.0.0.1:${owner[2][1]}`;
    };
    const indexOf = (node: string) => {
      const i = nodes.indexOf(node);
      if (i < 0) throw new Error(`${node} is not a node of this cluster`);
      return i;
    };
    return {
      nodes,
      slotOf,
      nodeOf,
      async kill(node) {
        const child = children[indexOf(node)];
        child.kill("SIGKILL");
        await exited(child);
      },
      async restart(node) {
        const i = indexOf(node);
        children[i] = launch(ports[i]);
        await waitFor(
          () => answers(ports[i], async (c) => (await c.ping()) === "PONG"),
          (up) => up,
        );
        await clusterOk();
      },
      client(node) {
        const [host, port] = node.split(":");
        const client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
        client.on("error", () => undefined);
        return client;
      },
      async stop() {
        admin.disconnect();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
