/** The producer side of every queue: enqueue jobs by registry entry, failing fast when Redis is down. */
import { Queue } from "bullmq";
import { clusterMisconfiguration, clusterSafePrefix, createProducerConnection, isClusterClient, queuePrefix, withTimeout, type RedisClient, type RedisTarget } from "./connection";
import { JOBS, QUEUE_NAMES, defaultJobOptions, type JobKey, type PayloadOf, type QueueName } from "./jobs";
import { findOrphans } from "./live-work";
import { QueueKeeper } from "./queue-keeper";
import type { EngineIdentity } from "./prefix-owner";
import type { Logger } from "../lib/logger";

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export interface JobQueuesOptions {
  /** How long a producer call may take before it fails (an enqueue never hangs a request). */
  timeoutMs?: number;
  /** Attempts per job (COACH_JOB_ATTEMPTS). */
  attempts?: number;
}

/** What a Redis check says, in words an operator reads (never the client library's raw text). */
export type RedisCheck = "ok" | "unreachable" | `not answering within ${number} ms` | `REDIS_URL names a node of a Redis Cluster${string}`;

export class JobQueues {
  readonly connection: RedisClient;
  /** The engine's prefix (`{coach}`): its claim and its delivery channels. Queues have their own (prefixOf). */
  readonly prefix: string;
  /** Keeps what the engine needs in Redis (its prefix claim, the maintenance schedulers) there, even after Redis lost it. */
  readonly keeper: QueueKeeper;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly timeoutMs: number;

  constructor(redis: RedisTarget, prefix: string, options: JobQueuesOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 1_000;
    this.connection = createProducerConnection(redis);
    this.prefix = clusterSafePrefix(prefix);
    const defaultJobOpts = defaultJobOptions(options.attempts ?? 8);
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection: this.connection, prefix: this.prefixOf(name), defaultJobOptions: defaultJobOpts });
      queue.on("error", () => undefined); // surfaced by the failing call instead
      this.queues.set(name, queue);
    }
    this.keeper = new QueueKeeper(this.connection, this.prefix, (name) => this.queue(name));
  }

  /** The BullMQ prefix of one queue: the engine's on a single Redis, a hash tag per queue in a cluster (see connection.ts). */
  prefixOf(name: QueueName): string {
    return queuePrefix(this.prefix, name, isClusterClient(this.connection));
  }

  /** The BullMQ queue behind a name (for workers' metrics and tests). */
  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  /**
   * Records this process's database as the owner of the queue prefix, and keeps it recorded (see QueueKeeper).
   * Throws PrefixInUseError when another database's engine owns it; resolves quietly when Redis does not answer
   * (the claim is made as soon as it does).
   */
  async claimPrefix(identity: EngineIdentity, log: Logger): Promise<void> {
    await this.keeper.start(identity, log);
  }

  /** Adds one job per payload. Batch jobs get a fresh id each time; see jobs.ts for which ids deduplicate. */
  async enqueue<K extends JobKey>(kind: K, payloads: PayloadOf<K>[], options: EnqueueOptions = {}): Promise<void> {
    await this.enqueueEach(
      kind,
      payloads.map((payload) => ({ payload, delayMs: options.delayMs })),
    );
  }

  /** Like enqueue, with a delay per job: one Redis call for jobs due at different times. */
  async enqueueEach<K extends JobKey>(kind: K, jobs: Array<{ payload: PayloadOf<K>; delayMs?: number }>): Promise<void> {
    if (jobs.length === 0) return;
    const definition = JOBS[kind];
    const jobId = definition.jobId as (payload: PayloadOf<K>) => string;
    const overrides = "options" in definition ? definition.options : {};
    const bulk = jobs.map(({ payload, delayMs }) => ({
      name: definition.name,
      data: payload,
      opts: { jobId: jobId(payload), ...overrides, ...(delayMs && delayMs > 0 ? { delay: Math.round(delayMs) } : {}) },
    }));
    await withTimeout(this.queue(definition.queue).addBulk(bulk), this.timeoutMs, `enqueue ${definition.name}`);
  }

  /**
   * Of `candidates` (event ids for "match", message ids for "deliver"), those that no waiting, delayed or active
   * job holds: the work the sweeper must enqueue again. See live-work.ts.
   */
  async findOrphans(queue: "match" | "deliver", candidates: string[]): Promise<{ orphans: string[]; complete: boolean }> {
    if (candidates.length === 0) return { orphans: [], complete: true };
    return findOrphans(this.connection, this.queue(queue), candidates, this.timeoutMs * 10);
  }

  /**
   * Whether Redis answers a real queue command within `timeoutMs` (for /readyz): a frozen or unreachable Redis
   * fails here even while the socket is open.
   */
  async check(timeoutMs: number): Promise<RedisCheck> {
    if (this.connection.status !== "ready") return "unreachable";
    try {
      await withTimeout(Promise.all([...this.queues.values()].map((q) => q.getJobCountByTypes("wait"))), timeoutMs, "redis check");
      return "ok";
    } catch (error) {
      const misconfigured = clusterMisconfiguration(error);
      if (misconfigured) return misconfigured as RedisCheck;
      return /timed out/.test((error as Error).message) ? `not answering within ${timeoutMs} ms` : "unreachable";
    }
  }

  /** Waiting + delayed + active jobs per queue, for /metrics. */
  async depths(): Promise<Record<QueueName, number>> {
    const out = {} as Record<QueueName, number>;
    for (const [name, queue] of this.queues) {
      const counts = await withTimeout(queue.getJobCounts("waiting", "delayed", "active", "prioritized"), this.timeoutMs, "queue counts");
      out[name] = Object.values(counts).reduce((a, b) => a + b, 0);
    }
    return out;
  }

  /** Deletes every job of every queue under this prefix, and its claim: for tests and the simulator, whose prefixes are throwaway. */
  async obliterateAll(timeoutMs = 2_000): Promise<void> {
    this.keeper.stop(); // or it would put back the claim and the schedulers
    for (const queue of this.queues.values()) await withTimeout(queue.obliterate({ force: true }), timeoutMs, "obliterate").catch(() => undefined);
    await this.keeper.release(timeoutMs).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.keeper.stop();
    // Bounded: closing a queue whose Redis is unreachable would otherwise wait for it forever.
    await Promise.all([...this.queues.values()].map((q) => withTimeout(q.close(), 2_000, "queue close").catch(() => undefined)));
    this.connection.disconnect();
  }
}
