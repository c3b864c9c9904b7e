/** Periodic maintenance: the outbox sweeper, inactivity triggers, SQL segment refreshes and the learning model. */
import type { EngineContext } from "../src/context";
import { sweepOutbox } from "../src/maintenance/sweep-outbox";
import { scanInactivity } from "../src/matching/scan-inactivity";
import { findSegmentsDueForRefresh, refreshSegmentNow } from "../src/segments/refresh-segment";
import { refreshLearningModel } from "../src/experiments/refresh-learning-model";
import type { QueueHandlers } from "../src/queue/run-worker";

/** Handlers for every job on the maintenance queue (their schedules: maintenanceSchedules in src/queue/jobs.ts). */
export function maintenanceHandlers(ctx: EngineContext): QueueHandlers<"maintenance"> {
  return {
    sweep: async () => {
      await sweepOutbox(ctx);
    },
    scanInactivity: async () => {
      await scanInactivity(ctx);
    },
    scheduleSegmentRefreshes: async () => {
      const due = await findSegmentsDueForRefresh(ctx);
      const minute = Math.floor(ctx.clock.now().getTime() / 60_000);
      await ctx.queues.enqueue(
        "refreshSegment",
        due.map((segmentKey) => ({ segmentKey, minute })),
      );
    },
    refreshLearningModel: async () => {
      await refreshLearningModel(ctx);
    },
    refreshSegment: async ({ segmentKey }) => {
      await refreshSegmentNow(ctx, segmentKey);
    },
  };
}
