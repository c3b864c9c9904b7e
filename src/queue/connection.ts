/**
 * Redis connections, all made here: a single Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES), for every
 * user of Redis in the engine (queues, workers, the delivery feed, the auth limiter, the prefix claim, /readyz and
 * /metrics). Producers fail fast when Redis is down (the outbox and sweepers make that safe); workers and
 * subscribers wait and reconnect forever, as BullMQ requires.
 *
 * In a cluster every key of one BullMQ queue must live in one slot, so each queue's prefix is a hash tag of its
 * own (`{coach:match}`, `{coach:deliver}`, `{coach:maintenance}`): the queues spread over the shards that own
 * those slots. A single Redis keeps the one `{coach}` prefix it always had, so an existing deployment's jobs
 * stay where its workers look.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import type { Config } from "../config";

/** Either client: both speak every command the engine uses, and BullMQ takes both. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: the configuration, or (tests, tools) a single Redis URL. */
export type RedisTarget = Pick<Config, "redisUrl" | "redisClusterNodes"> | string;

type Role = "producer" | "worker" | "subscriber";

/** Per-role options of a node connection (a single Redis, or each node of a cluster). */
const NODE_OPTIONS: Record<Role, RedisOptions> = {
  // No offline queue, so an add during an outage errors at once instead of hanging.
  producer: { maxRetriesPerRequest: 1, connectTimeout: 2_000 },
  // Blocking commands need `maxRetriesPerRequest: null`.
  worker: { maxRetriesPerRequest: null, connectTimeout: 5_000 },
  subscriber: { maxRetriesPerRequest: null, connectTimeout: 5_000 },
};

/** Makes the client for a role; a cluster client when the target names cluster nodes. */
function createClient(target: RedisTarget, role: Role): RedisClient {
  const url = typeof target === "string" ? target : target.redisUrl;
  const nodes = typeof target === "string" ? [] : target.redisClusterNodes;
  const offlineQueue = role !== "producer";
  const client: RedisClient =
    nodes.length > 0 ? new Cluster(nodes.map(seedNode), clusterOptions(nodes, NODE_OPTIONS[role], offlineQueue)) : new Redis(url, { ...NODE_OPTIONS[role], enableOfflineQueue: offlineQueue });
  client.on("error", () => undefined); // outages are reported where a call fails; the socket error itself is noise
  return client;
}

/** One seed node of REDIS_CLUSTER_NODES (`host:port`, `[v6]:port` or a redis:// URL). */
function seedNode(node: string): { host: string; port: number } {
  const url = new URL(/^rediss?:\/\//.test(node) ? node : `redis://${node}`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port || 6379) };
}

/** Cluster options; credentials and TLS come from the first seed node given as a URL that carries them. */
function clusterOptions(nodes: readonly string[], nodeOptions: RedisOptions, offlineQueue: boolean): ClusterOptions {
  const withUrl = nodes.map((n) => (/^rediss?:\/\//.test(n) ? new URL(n) : null)).find((u) => u && (u.username || u.password || u.protocol === "rediss:"));
  const auth: RedisOptions = withUrl
    ? {
        ...(withUrl.username ? { username: decodeURIComponent(withUrl.username) } : {}),
        ...(withUrl.password ? { password: decodeURIComponent(withUrl.password) } : {}),
        ...(withUrl.protocol === "rediss:" ? { tls: {} } : {}),
      }
    : {};
  return { enableOfflineQueue: offlineQueue, redisOptions: { ...nodeOptions, ...auth }, slotsRefreshTimeout: 2_000 };
}

/** A connection for enqueueing and for every other short command (claims, counts, limiter, publish). */
export function createProducerConnection(target: RedisTarget): RedisClient {
  return createClient(target, "producer");
}

/** A connection for workers and schedulers: blocking commands, reconnecting forever. */
export function createWorkerConnection(target: RedisTarget): RedisClient {
  return createClient(target, "worker");
}

/** A connection for pub/sub subscriptions (resubscribes by itself after a reconnection or a failover). */
export function createSubscriberConnection(target: RedisTarget): RedisClient {
  return createClient(target, "subscriber");
}

/** Whether a client is ioredis's cluster client. */
export function isClusterClient(client: RedisClient): client is Cluster {
  return client.isCluster;
}

/** BullMQ prefix wrapped in a hash tag so every key of a queue lands on one Redis Cluster slot. */
export function clusterSafePrefix(prefix: string): string {
  return prefix.startsWith("{") ? prefix : `{${prefix}}`;
}

/**
 * The BullMQ prefix of one queue. A single Redis: the engine's `{prefix}` for all queues, as always. A cluster:
 * a hash tag per queue (`{prefix:queue}`), so the queues land on different slots and, mostly, different shards.
 */
export function queuePrefix(prefix: string, queue: string, cluster: boolean): string {
  if (!cluster) return clusterSafePrefix(prefix);
  // Braces inside would end the tag early (Redis hashes up to the first `}`), putting every queue in one slot again.
  return `{${prefix.replace(/[{}]/g, "")}:${queue}}`;
}

/**
 * The operator's words for a Redis error that says the client talks to the wrong kind of Redis: a single-node
 * client (REDIS_URL) pointed at a cluster node answers MOVED/ASK/CROSSSLOT for the keys other nodes own. null
 * for any other error.
 */
export function clusterMisconfiguration(error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  if (!/^(MOVED|ASK|CROSSSLOT)\b/.test(message)) return null;
  return `REDIS_URL names a node of a Redis Cluster (it answered ${message.split(" ")[0]}): set REDIS_CLUSTER_NODES to the cluster's nodes`;
}

/** Resolves within `ms` or rejects, so a Redis call can never hang an HTTP request. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
