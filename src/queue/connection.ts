/**
 * Redis connections for BullMQ. Producers fail fast when Redis is down (the outbox and sweepers
 * make that safe); workers wait and reconnect forever, as BullMQ requires.
 */
import { Redis } from "ioredis";

/** A connection for enqueueing: no offline queue, so an add during an outage errors at once instead of hanging. */
export function createProducerConnection(url: string): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false });
  redis.on("error", () => undefined); // outages are reported where a call fails; the socket error itself is noise
  return redis;
}

/** A connection for workers and schedulers: blocking commands need `maxRetriesPerRequest: null`. */
export function createWorkerConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 5_000 });
  redis.on("error", () => undefined);
  return redis;
}

/** BullMQ prefix wrapped in a hash tag so every key of a queue lands on one Redis Cluster slot. */
export function clusterSafePrefix(prefix: string): string {
  return prefix.startsWith("{") ? prefix : `{${prefix}}`;
}

/** Resolves within `ms` or rejects, so a Redis call can never hang an HTTP request. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
