/**
 * Boots every worker of the engine. Each queue's worker refuses to start if one of its jobs has no
 * handler (see src/queue/run-worker.ts), so a new job cannot be forgotten.
 */
import type { Worker } from "bullmq";
import type { EngineContext } from "../src/context";
import { createWorkerConnection } from "../src/queue/connection";
import { runWorker } from "../src/queue/run-worker";
import { JOBS } from "../src/queue/jobs";
import { matchEventHandler, matchEventsHandler } from "./match-event.worker";
import { DELIVERY_CONCURRENCY, deliverMessageHandler, deliverMessagesHandler } from "./deliver-message.worker";
import { maintenanceHandlers, scheduleMaintenance } from "./maintenance.worker";

export interface RunningWorkers {
  names: string[];
  workers: Worker[];
  close(): Promise<void>;
}

/** Starts the match, deliver and maintenance workers and the periodic jobs. */
export async function startWorkers(ctx: EngineContext, options: { concurrency?: number } = {}): Promise<RunningWorkers> {
  const connection = createWorkerConnection(ctx.config.redisUrl);
  const common = { connection, prefix: ctx.config.queuePrefix, log: ctx.log };
  const workers = [
    runWorker({ ...common, queue: "match", concurrency: options.concurrency ?? 8, handlers: { [JOBS.matchEvent.name]: matchEventHandler(ctx), [JOBS.matchEvents.name]: matchEventsHandler(ctx) } }),
    runWorker({ ...common, queue: "deliver", concurrency: options.concurrency ?? DELIVERY_CONCURRENCY, handlers: { [JOBS.deliverMessage.name]: deliverMessageHandler(ctx), [JOBS.deliverMessages.name]: deliverMessagesHandler(ctx) } }),
    runWorker({ ...common, queue: "maintenance", concurrency: 2, handlers: maintenanceHandlers(ctx) }),
  ];
  await scheduleMaintenance(ctx).catch((err) => ctx.log.warn({ err: (err as Error).message }, "could not schedule maintenance jobs yet"));
  return {
    names: workers.map((w) => w.name),
    workers,
    async close() {
      // close() waits for active jobs to finish; jobs not started stay in Redis for the next worker.
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
    },
  };
}
