/**
 * Group commit for ingest: requests that arrive while transactions are in flight are stored together in the
 * next one. No timer and no added latency when idle — the first request commits at once — but under load
 * one commit (one WAL flush) serves many requests. Each request still gets its own answer, as soon as the
 * commit that stored its events is done; the group's new events then go to matching in one queue call (per
 * group, not per request; the outbox sweeper covers a failed call). An event id repeated across requests is
 * accepted once.
 */
import type { Pool } from "pg";
import type { NormalizedEvent } from "./parse-events";
import { recordEvents, type RecordResult } from "./record-events";
import { publishStoredEvents } from "./outbox";
import type { EngineContext } from "../context";

const MAX_GROUP_EVENTS = 2_000;
/**
 * Groups committing at once. Two keep PostgreSQL busy while Node answers the previous group's requests and
 * gathers the next; concurrent groups cannot deadlock, as recordEvents takes row locks in id order.
 */
const MAX_IN_FLIGHT = 2;

interface Pending {
  events: NormalizedEvent[];
  receivedAt: Date;
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private flushers = 0;

  /** `publish` hands a committed group's new event ids to matching; it must not throw (the outbox sweeper is the fallback). */
  constructor(private readonly pool: Pool, private readonly publish: (eventIds: string[]) => Promise<void>) {}

  /** Stores the events (with whatever else is waiting) and answers for this request alone. */
  record(events: NormalizedEvent[], receivedAt: Date): Promise<RecordResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, receivedAt, resolve, reject });
      if (this.flushers < MAX_IN_FLIGHT) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushers++;
    while (this.queue.length > 0) {
      const group: Pending[] = [];
      let size = 0;
      while (this.queue.length > 0 && (group.length === 0 || size + this.queue[0].events.length <= MAX_GROUP_EVENTS)) {
        const next = this.queue.shift()!;
        group.push(next);
        size += next.events.length;
      }
      try {
        // One receivedAt per group: the latest, so no event's skew correction moves it past its own arrival.
        const receivedAt = new Date(Math.max(...group.map((p) => p.receivedAt.getTime())));
        const { acceptedIds } = await recordEvents(this.pool, group.flatMap((p) => p.events), receivedAt);
        // Answered once durable; the hand-off to matching follows (the outbox sweeper covers its failure).
        const unclaimed = new Set(acceptedIds);
        for (const p of group) {
          const mine = p.events.filter((e) => unclaimed.delete(e.id)).map((e) => e.id);
          p.resolve({ acceptedIds: mine, duplicates: p.events.length - mine.length });
        }
        await this.publish(acceptedIds);
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
    this.flushers--;
  }
}

const committers = new WeakMap<Pool, GroupCommitter>();

/** The process's committer for the engine's pool, publishing to its queues. */
export function groupCommitterFor(ctx: Pick<EngineContext, "database" | "queues" | "log" | "metrics">): GroupCommitter {
  let committer = committers.get(ctx.database.pool);
  if (!committer) committers.set(ctx.database.pool, (committer = new GroupCommitter(ctx.database.pool, (ids) => publishStoredEvents(ctx, ids))));
  return committer;
}
