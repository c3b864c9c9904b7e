/** Periodic maintenance: the outbox sweeper, inactivity triggers, SQL segment refreshes and the learning model. */
import type { EngineContext } from "../src/context";
import { JOBS } from "../src/queue/jobs";
import { sweepOutbox } from "../src/maintenance/sweep-outbox";
import { scanInactivity } from "../src/matching/scan-inactivity";
import { findSegmentsDueForRefresh, refreshSegmentNow } from "../src/segments/refresh-segment";
import { refreshLearningModel } from "../src/experiments/refresh-learning-model";
import type { JobHandler } from "../src/queue/run-worker";

/** Handlers for every job on the maintenance queue. */
export function maintenanceHandlers(ctx: EngineContext): Record<string, JobHandler> {
  return {
    [JOBS.sweep.name]: async () => {
      await sweepOutbox(ctx);
    },
    [JOBS.scanInactivity.name]: async () => {
      await scanInactivity(ctx);
    },
    [JOBS.scheduleSegmentRefreshes.name]: async () => {
      const due = await findSegmentsDueForRefresh(ctx);
      const minute = Math.floor(ctx.clock.now().getTime() / 60_000);
      await ctx.queues.enqueue("refreshSegment", due.map((segmentKey) => ({ segmentKey, minute })));
    },
    [JOBS.refreshLearningModel.name]: async () => {
      await refreshLearningModel(ctx);
    },
    [JOBS.refreshSegment.name]: async (payload) => {
      await refreshSegmentNow(ctx, (payload as { segmentKey: string }).segmentKey);
    },
  };
}

/**
 * Registers the repeatable jobs (idempotent: a scheduler id is upserted, not duplicated). Segment refreshes
 * are found by a once-a-minute scan of `segments` rather than one scheduler per segment, so the database
 * stays the record of each segment's interval and a Redis loss forgets nothing.
 */
export async function scheduleMaintenance(ctx: EngineContext): Promise<void> {
  const queue = ctx.queues.queue("maintenance");
  await queue.upsertJobScheduler("sweep-outbox", { every: ctx.config.sweepEveryMs }, { name: JOBS.sweep.name, data: {} });
  await queue.upsertJobScheduler("scan-inactivity", { every: 5 * 60_000 }, { name: JOBS.scanInactivity.name, data: {} });
  await queue.upsertJobScheduler("refresh-learning-model", { every: ctx.config.learningModelEveryMs }, { name: JOBS.refreshLearningModel.name, data: {} });
  await queue.upsertJobScheduler("schedule-segment-refreshes", { every: 60_000 }, { name: JOBS.scheduleSegmentRefreshes.name, data: {} });
}
