/** The producer side of every queue: enqueue jobs by registry entry, failing fast when Redis is down. */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { clusterSafePrefix, createProducerConnection, withTimeout } from "./connection";
import { DEFAULT_JOB_OPTIONS, JOBS, QUEUE_NAMES, type QueueName } from "./jobs";

type JobsOf = typeof JOBS;
type PayloadOf<K extends keyof JobsOf> = Parameters<JobsOf[K]["jobId"]>[0];

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export class JobQueues {
  readonly connection: Redis;
  readonly prefix: string;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(redisUrl: string, prefix: string, private readonly timeoutMs = 1_000) {
    this.connection = createProducerConnection(redisUrl);
    this.prefix = clusterSafePrefix(prefix);
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      queue.on("error", () => undefined); // surfaced by the failing call instead
      this.queues.set(name, queue);
    }
  }

  /** The BullMQ queue behind a name (for workers' metrics and tests). */
  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  /** Adds one job per payload; a job whose id already exists is left alone by BullMQ (idempotent). */
  async enqueue<K extends keyof JobsOf>(kind: K, payloads: PayloadOf<K>[], options: EnqueueOptions = {}): Promise<void> {
    await this.enqueueEach(kind, payloads.map((payload) => ({ payload, delayMs: options.delayMs })));
  }

  /** Like enqueue, with a delay per job: one Redis call for jobs due at different times. */
  async enqueueEach<K extends keyof JobsOf>(kind: K, jobs: Array<{ payload: PayloadOf<K>; delayMs?: number }>): Promise<void> {
    if (jobs.length === 0) return;
    const job = JOBS[kind];
    const bulk = jobs.map(({ payload, delayMs }) => ({
      name: job.name,
      data: payload,
      opts: { jobId: (job.jobId as (p: PayloadOf<K>) => string)(payload), ...(delayMs && delayMs > 0 ? { delay: Math.round(delayMs) } : {}) },
    }));
    await withTimeout(this.queue(job.queue).addBulk(bulk), this.timeoutMs, `enqueue ${job.name}`);
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

  /** Deletes every job of every queue under this prefix: for tests and the simulator, whose prefixes are throwaway. */
  async obliterateAll(timeoutMs = 2_000): Promise<void> {
    for (const queue of this.queues.values()) await withTimeout(queue.obliterate({ force: true }), timeoutMs, "obliterate").catch(() => undefined);
  }

  async close(): Promise<void> {
    // Bounded: closing a queue whose Redis is unreachable would otherwise wait for it forever.
    await Promise.all([...this.queues.values()].map((q) => withTimeout(q.close(), 2_000, "queue close").catch(() => undefined)));
    this.connection.disconnect();
  }
}
