/**
 * The engine's real queues, run on the simulated clock. Jobs go through Redis exactly as in production — ingest
 * publishes match batches, matching enqueues delivery batches (due now) and delayed single deliveries (due
 * later) — and the production workers (src/queue/run-worker.ts with the handlers of workers/) take them. Only
 * time differs: BullMQ delays jobs in wall-clock milliseconds, so a delivery deferred by six simulated hours
 * would wait six real hours. The simulator therefore promotes a delayed delivery once the simulated clock
 * reaches the due time its job carries, and waits for the queues to go idle before the simulated hour ends.
 * The maintenance queue is not run: its schedulers fire on wall-clock time, so the simulator runs the learning
 * model's job itself on the simulated schedule (run-world.ts).
 */
import type { EngineContext } from "../src/context";
import { createWorkerConnection } from "../src/queue/connection";
import { runWorker } from "../src/queue/run-worker";
import { matchHandlers } from "../workers/match-event.worker";
import { DELIVERY_CONCURRENCY, deliverHandlers } from "../workers/deliver-message.worker";

type Worker = ReturnType<typeof runWorker>;

/** How long the queues may stay busy within one simulated hour before the run is declared stuck. */
const SETTLE_TIMEOUT_MS = 300_000;

export class SimulatedQueues {
  private readonly connection;
  private readonly workers: Worker[];
  private failedSeen = 0;
  /** Resolves the current wait early when a job finishes (checking then beats sleeping out the poll interval). */
  private wake: (() => void) | null = null;

  constructor(private readonly ctx: EngineContext) {
    this.connection = createWorkerConnection(ctx.config);
    const common = { connection: this.connection, prefix: ctx.config.queuePrefix, log: ctx.log };
    this.workers = [
      runWorker({ ...common, queue: "match", concurrency: 8, handlers: matchHandlers(ctx) }),
      runWorker({ ...common, queue: "deliver", concurrency: DELIVERY_CONCURRENCY, handlers: deliverHandlers(ctx) }),
    ];
    for (const worker of this.workers) for (const event of ["completed", "failed"] as const) worker.on(event, () => this.wake?.());
  }

  /**
   * Waits until the work of this simulated instant is done: the events in `eventIds` matched, no match or
   * delivery job waiting or running, and every delayed delivery due by the simulated now promoted and run.
   * Throws when a job failed (a failed job in a simulation is a bug to see, not noise to average over).
   */
  async settle(eventIds: string[]): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let pending = eventIds;
    for (let pause = 2; ; pause = Math.min(25, pause * 2)) {
      // Match first, then deliver: once matching is idle it can add no delivery, so an idle deliver queue read
      // afterwards means everything scheduled so far has run. The database is asked about the events only when
      // the queues look idle: ingest hands them to matching just after answering, so they may not be queued yet.
      if ((await this.idle("match")) && (await this.promoteDue()) === 0 && (await this.idle("deliver"))) {
        if (pending.length) pending = await this.unmatched(pending);
        if (pending.length === 0) break;
      }
      if (Date.now() > deadline) throw new Error(`the queues did not settle within ${SETTLE_TIMEOUT_MS} ms (unmatched events: ${pending.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    await this.checkFailures();
  }

  /** Stops the workers (waiting for running jobs) and disconnects. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    this.connection.disconnect();
  }

  private async unmatched(eventIds: string[]): Promise<string[]> {
    const { rows } = await this.ctx.database.pool.query<{ id: string }>(`SELECT id FROM events WHERE id = ANY($1::text[]) AND matched_at IS NULL AND match_failed_at IS NULL`, [eventIds]);
    return rows.map((r) => r.id);
  }

  private async idle(name: "match" | "deliver"): Promise<boolean> {
    const counts = await this.ctx.queues.queue(name).getJobCounts("waiting", "active", "prioritized", "waiting-children");
    return Object.values(counts).every((n) => n === 0);
  }

  /**
   * Promotes delayed deliveries due by the simulated now (the due time is in the payload), and retries whose
   * wall-clock backoff would otherwise hold the simulated hour open. Returns how many it promoted.
   */
  private async promoteDue(): Promise<number> {
    const now = this.ctx.clock.now().getTime();
    const delayed = await this.ctx.queues.queue("deliver").getDelayed(0, -1);
    const due = delayed.filter((job) => job.attemptsMade > 0 || (typeof job.data?.dueAt === "number" && job.data.dueAt <= now));
    for (const job of due) await job.promote();
    return due.length;
  }

  private async checkFailures(): Promise<void> {
    let failed = 0;
    for (const name of ["match", "deliver"] as const) failed += await this.ctx.queues.queue(name).getFailedCount();
    if (failed === this.failedSeen) return;
    this.failedSeen = failed;
    const jobs = [...(await this.ctx.queues.queue("match").getFailed(0, 0)), ...(await this.ctx.queues.queue("deliver").getFailed(0, 0))];
    throw new Error(`a job failed in the simulation: ${jobs.map((j) => `${j.name}: ${j.failedReason}`).join("; ")}`);
  }
}
