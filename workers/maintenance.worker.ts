/** Periodic maintenance: the outbox sweeper (and, later, segment refreshes and model updates). */
import type { EngineContext } from "../src/context";
import { JOBS } from "../src/queue/jobs";
import { sweepOutbox } from "../src/maintenance/sweep-outbox";
import type { JobHandler } from "../src/queue/run-worker";

/** Handlers for every job on the maintenance queue. */
export function maintenanceHandlers(ctx: EngineContext): Record<string, JobHandler> {
  return {
    [JOBS.sweep.name]: async () => {
      await sweepOutbox(ctx);
    },
  };
}

/** Registers the repeatable jobs (idempotent: a scheduler id is upserted, not duplicated). */
export async function scheduleMaintenance(ctx: EngineContext): Promise<void> {
  const queue = ctx.queues.queue("maintenance");
  await queue.upsertJobScheduler("sweep-outbox", { every: ctx.config.sweepEveryMs }, { name: JOBS.sweep.name, data: {} });
}
