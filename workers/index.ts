/**
 * Boots every worker of the engine. Each queue's worker needs a handler for every job of that queue (checked by
 * the compiler through QueueHandlers, and again at start by src/queue/run-worker.ts), so a new job cannot be
 * forgotten. The maintenance schedulers are kept in Redis from then on, even if Redis loses them (QueueKeeper).
 */
import type { Worker } from "bullmq";
import type { EngineContext } from "../src/context";
import { createWorkerConnection, withTimeout } from "../src/queue/connection";
import { runWorker } from "../src/queue/run-worker";
import { maintenanceSchedules } from "../src/queue/jobs";
import { RepeatedLog } from "../src/lib/repeated-log";
import { matchHandlers } from "./match-event.worker";
import { DELIVERY_CONCURRENCY, deliverHandlers } from "./deliver-message.worker";
import { maintenanceHandlers } from "./maintenance.worker";

export interface RunningWorkers {
  names: string[];
  workers: Worker[];
  /**
   * Stops taking jobs and waits for the running ones. With `timeoutMs`, gives up waiting then: jobs still
   * running are returned to their queue by BullMQ's stalled-job check once their lock lapses, and re-run
   * (handlers are idempotent).
   */
  close(timeoutMs?: number): Promise<void>;
}

/** Starts the match, deliver and maintenance workers and the periodic jobs. */
export async function startWorkers(ctx: EngineContext, options: { concurrency?: number } = {}): Promise<RunningWorkers> {
  const connection = createWorkerConnection(ctx.config);
  // One for all three workers: during an outage they fail together, and a few lines say so.
  const errorLog = new RepeatedLog(ctx.log, "worker error");
  const common = { connection, prefix: ctx.config.queuePrefix, log: ctx.log, errorLog };
  const workers = [
    runWorker({ ...common, queue: "match", concurrency: options.concurrency ?? 8, handlers: matchHandlers(ctx) }),
    runWorker({ ...common, queue: "deliver", concurrency: options.concurrency ?? DELIVERY_CONCURRENCY, handlers: deliverHandlers(ctx) }),
    runWorker({ ...common, queue: "maintenance", concurrency: 2, handlers: maintenanceHandlers(ctx) }),
  ];
  await ctx.queues.keeper.keepSchedules(maintenanceSchedules(ctx.config));
  return {
    names: workers.map((w) => w.name),
    workers,
    async close(timeoutMs?: number) {
      ctx.queues.keeper.forgetSchedules();
      // close() waits for active jobs to finish; jobs not started stay in Redis for the next worker.
      const closed = Promise.all(workers.map((w) => w.close()));
      if (timeoutMs === undefined) await closed;
      else await withTimeout(closed, timeoutMs, "finishing running jobs").catch((err: Error) => ctx.log.warn({ err: err.message }, "stopping with jobs still running: they return to the queue"));
      connection.disconnect();
    },
  };
}
