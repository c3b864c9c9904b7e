/**
 * The one worker wrapper: parses the payload with the registry's schema, runs the handler, and maps
 * errors to BullMQ's retry semantics. Bad payloads and NotFound are not retried (they never get better);
 * everything else is retried with backoff, then left in the failed set for inspection. Handlers are typed
 * from the registry: each gets its job's payload as its zod schema parses it, and a queue's worker does not
 * compile without a handler for every job of that queue.
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import { NotFoundError, ValidationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { RepeatedLog } from "../lib/repeated-log";
import { clusterMisconfiguration, isClusterClient, queuePrefix, type RedisClient } from "./connection";
import { backOffOnErrors } from "./worker-backoff";
import { JOBS, type JobKey, type JobKeysOf, type PayloadOf, type QueueName } from "./jobs";

/** What a handler may know about the job running it (no BullMQ types leak past this folder). */
export interface JobMeta {
  id: string;
  /** 1 for the first run. */
  attempt: number;
  /** No retry follows if this attempt fails: items failing alone now are poison (see isolate-failures.ts). */
  finalAttempt: boolean;
}

/** A handler's answer: done, or "not yet: run me again at this time" (the job is delayed, not failed). */
export type JobResult = void | { runAgainAt: Date };

export type JobHandler<K extends JobKey> = (payload: PayloadOf<K>, job: JobMeta) => Promise<JobResult>;

/** One handler per job of a queue, keyed by registry key. */
export type QueueHandlers<Q extends QueueName> = { [K in JobKeysOf<Q>]: JobHandler<K> };

/** Starts a worker for one queue with a handler per job. Throws if a job of that queue has none. */
export function runWorker<Q extends QueueName>(options: {
  queue: Q;
  handlers: QueueHandlers<Q>;
  connection: RedisClient;
  prefix: string;
  concurrency: number;
  log: Logger;
  /** Shared by a process's workers, so an outage is logged as a few lines in all (see RepeatedLog). */
  errorLog?: RepeatedLog;
}): Worker {
  const handlers = options.handlers as Record<string, JobHandler<JobKey>>;
  const byName = new Map<string, { key: JobKey; parse: (data: unknown) => { success: true; data: unknown } | { success: false; error: Error } }>();
  for (const [key, def] of Object.entries(JOBS) as Array<[JobKey, (typeof JOBS)[JobKey]]>) {
    if (def.queue !== options.queue) continue;
    if (!handlers[key]) throw new Error(`No handler for job ${def.name} on queue ${options.queue}`);
    byName.set(def.name, { key, parse: (data) => def.payload.safeParse(data) });
  }
  const worker = new Worker(
    options.queue,
    async (job: Job, token?: string) => {
      const entry = byName.get(job.name);
      if (!entry) throw new UnrecoverableError(`Unknown job ${job.name}`);
      const parsed = entry.parse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Invalid payload for ${job.name}: ${parsed.error.message}`);
      const attempts = job.opts.attempts ?? 1;
      const meta: JobMeta = { id: job.id ?? "", attempt: job.attemptsMade + 1, finalAttempt: job.attemptsMade + 1 >= attempts };
      let result: JobResult;
      try {
        result = await handlers[entry.key](parsed.data as PayloadOf<JobKey>, meta);
      } catch (error) {
        if (error instanceof ValidationError || error instanceof NotFoundError) throw new UnrecoverableError(error.message);
        throw error;
      }
      if (result && token) {
        // BullMQ's way to run a job again later under the same id: delay it, then tell the worker it was not finished.
        await job.moveToDelayed(result.runAgainAt.getTime(), token);
        throw new DelayedError();
      }
    },
    { connection: options.connection, prefix: queuePrefix(options.prefix, options.queue, isClusterClient(options.connection)), concurrency: options.concurrency, autorun: true },
  );
  worker.on("failed", (job, error) => {
    options.log.warn({ job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, "job failed");
  });
  const errorLog = options.errorLog ?? new RepeatedLog(options.log, "worker error");
  worker.on("error", (error) => errorLog.report({ err: clusterMisconfiguration(error) ?? error.message, queue: options.queue }));
  backOffOnErrors(worker);
  return worker;
}
