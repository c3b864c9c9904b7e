/**
 * The one worker wrapper: parses the payload with the registry's schema, runs the handler, and maps
 * errors to BullMQ's retry semantics. Bad payloads and NotFound are not retried (they never get better);
 * everything else is retried with backoff, then left in the failed set for inspection.
 */
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { NotFoundError, ValidationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { clusterSafePrefix } from "./connection";
import { JOBS, type QueueName } from "./jobs";

export type JobHandler = (payload: unknown, job: Job) => Promise<void>;

/** Starts a worker for one queue with a handler per job name. Throws if a job of that queue has none. */
export function runWorker(options: {
  queue: QueueName;
  handlers: Record<string, JobHandler>;
  connection: Redis;
  prefix: string;
  concurrency: number;
  log: Logger;
}): Worker {
  const definitions = Object.values(JOBS).filter((j) => j.queue === options.queue);
  for (const def of definitions) {
    if (!options.handlers[def.name]) throw new Error(`No handler for job ${def.name} on queue ${options.queue}`);
  }
  const byName = new Map(definitions.map((d) => [d.name as string, d]));
  const worker = new Worker(
    options.queue,
    async (job) => {
      const def = byName.get(job.name);
      if (!def) throw new UnrecoverableError(`Unknown job ${job.name}`);
      const parsed = def.payload.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Invalid payload for ${job.name}: ${parsed.error.message}`);
      try {
        await options.handlers[job.name](parsed.data, job);
      } catch (error) {
        if (error instanceof ValidationError || error instanceof NotFoundError) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    { connection: options.connection, prefix: clusterSafePrefix(options.prefix), concurrency: options.concurrency, autorun: true },
  );
  worker.on("failed", (job, error) => {
    options.log.warn({ job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, "job failed");
  });
  worker.on("error", (error) => options.log.warn({ err: error.message, queue: options.queue }, "worker error"));
  return worker;
}
