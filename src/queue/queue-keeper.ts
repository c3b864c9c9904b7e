/**
 * Keeps in Redis what the engine needs there: the claim on its queue prefix (prefix-owner.ts) and, in worker
 * processes, the maintenance job schedulers (the sweeper above all). Both were written once at start; a Redis
 * restarted without its data (`--save ''`, a cache-style Redis, a failover to an empty replica) forgot them and
 * nothing put them back, so the sweeper stopped for good and events stayed unmatched until a restart.
 *
 * So it checks on every (re)connection — ioredis emits `ready` each time — and every few seconds (a FLUSHALL
 * does not drop the connection), and re-creates whatever is missing. Upserting a scheduler is idempotent, and an
 * `every` scheduler runs at once, so the first sweep after Redis came back empty is immediate. BullMQ's own queue
 * metadata needs nothing: its scripts re-create it on first use.
 */
import type { Queue } from "bullmq";
import type { Logger } from "../lib/logger";
import { withTimeout, type RedisClient } from "./connection";
import { JOBS, type MaintenanceSchedule, type QueueName } from "./jobs";
import { PrefixInUseError, claimPrefix, releasePrefix, type EngineIdentity } from "./prefix-owner";

/** How often the keeper looks, besides on every reconnection. */
export const KEEPER_EVERY_MS = 5_000;
const CALL_TIMEOUT_MS = 2_000;

export class QueueKeeper {
  private identity: EngineIdentity | null = null;
  private schedules: MaintenanceSchedule[] = [];
  private log: Logger | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly onReady = () => void this.check();
  /** Set while another database's engine owns the prefix (found after start, e.g. once Redis came back empty). */
  conflict: PrefixInUseError | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly queueOf: (name: QueueName) => Queue,
  ) {}

  /**
   * Claims the prefix for `identity` and keeps checking. Throws PrefixInUseError if another database's engine owns
   * the prefix; when Redis does not answer, resolves and claims once it does.
   */
  async start(identity: EngineIdentity, log: Logger): Promise<void> {
    this.identity = identity;
    this.log = log;
    try {
      await withTimeout(claimPrefix(this.redis, this.prefix, identity), CALL_TIMEOUT_MS, "prefix claim");
    } catch (error) {
      if (error instanceof PrefixInUseError) throw error;
      log.warn("Redis is not answering; the queue prefix will be claimed when it does");
    }
    this.redis.on("ready", this.onReady);
    this.timer ??= setInterval(() => void this.check(), KEEPER_EVERY_MS).unref();
  }

  /** Keeps these schedulers in Redis from now on (worker processes); creates any that are missing now. */
  async keepSchedules(schedules: MaintenanceSchedule[]): Promise<void> {
    this.schedules = schedules;
    await this.check();
  }

  /** Stops re-creating schedulers (this process's workers stopped); those in Redis stay for other workers. */
  forgetSchedules(): void {
    this.schedules = [];
  }

  /** One look: the claim, then every kept scheduler; a failure waits for the next look. Never throws. */
  check(): Promise<void> {
    this.running ??= this.look().finally(() => (this.running = null));
    return this.running;
  }

  private async look(): Promise<void> {
    try {
      if (this.identity) await this.keepClaim(this.identity);
      if (this.conflict) return; // the prefix is another engine's: adding our schedulers there would only feed its workers
      const missing: MaintenanceSchedule[] = [];
      for (const schedule of this.schedules) {
        const queue = this.queueOf(JOBS[schedule.job].queue);
        if (!(await withTimeout(queue.getJobScheduler(schedule.id), CALL_TIMEOUT_MS, "scheduler check"))) missing.push(schedule);
      }
      for (const { id, everyMs, job } of missing) {
        await withTimeout(this.queueOf(JOBS[job].queue).upsertJobScheduler(id, { every: everyMs }, { name: JOBS[job].name, data: {} }), CALL_TIMEOUT_MS, "scheduler upsert");
      }
      if (missing.length) this.log?.info({ schedulers: missing.map((s) => s.id) }, "created missing job schedulers");
    } catch {
      // Redis is down or slow: the next reconnection or tick looks again.
    }
  }

  private async keepClaim(identity: EngineIdentity): Promise<void> {
    try {
      await withTimeout(claimPrefix(this.redis, this.prefix, identity), CALL_TIMEOUT_MS, "prefix claim");
      if (this.conflict) this.log?.info("the queue prefix is this engine's again");
      this.conflict = null;
    } catch (error) {
      if (!(error instanceof PrefixInUseError)) throw error;
      if (!this.conflict) this.log?.error({ owner: error.owner }, error.message);
      this.conflict = error;
    }
  }

  /** Stops looking (the engine is closing). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.redis.off("ready", this.onReady);
  }

  /** Deletes this engine's claim (throwaway prefixes only). */
  async release(timeoutMs: number): Promise<void> {
    if (this.identity) await withTimeout(releasePrefix(this.redis, this.prefix, this.identity), timeoutMs, "prefix release");
  }
}
