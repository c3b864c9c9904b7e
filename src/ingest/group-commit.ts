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
import { Batcher } from "../lib/batcher";

const MAX_GROUP_EVENTS = 2_000;
/**
 * Groups committing at once. Two keep PostgreSQL busy while Node answers the previous group's requests and
 * gathers the next; concurrent groups cannot deadlock, as recordEvents takes row locks in id order.
 */
const MAX_IN_FLIGHT = 2;

interface Request {
  events: NormalizedEvent[];
  receivedAt: Date;
}

export class GroupCommitter {
  private readonly batcher: Batcher<Request, RecordResult>;

  /** `publish` hands a committed group's new event ids to matching; it must not throw (the outbox sweeper is the fallback). */
  constructor(private readonly pool: Pool, publish: (eventIds: string[]) => Promise<void>) {
    this.batcher = new Batcher((group) => this.commit(group), {
      maxInFlight: MAX_IN_FLIGHT,
      maxBatch: MAX_GROUP_EVENTS,
      weight: (request) => request.events.length,
      // Answered once durable; the hand-off to matching follows (the outbox sweeper covers its failure).
      afterBatch: (_, answers) => publish(answers.flatMap((a) => a.acceptedIds)),
    });
  }

  /** Stores the events (with whatever else is waiting) and answers for this request alone. */
  record(events: NormalizedEvent[], receivedAt: Date): Promise<RecordResult> {
    return this.batcher.submit({ events, receivedAt });
  }

  private async commit(group: Request[]): Promise<RecordResult[]> {
    // One receivedAt per group: the latest, so no event's skew correction moves it past its own arrival.
    const receivedAt = new Date(Math.max(...group.map((r) => r.receivedAt.getTime())));
    const { acceptedIds } = await recordEvents(this.pool, group.flatMap((r) => r.events), receivedAt);
    const unclaimed = new Set(acceptedIds);
    return group.map((r) => {
      const mine = r.events.filter((e) => unclaimed.delete(e.id)).map((e) => e.id);
      return { acceptedIds: mine, duplicates: r.events.length - mine.length };
    });
  }
}

const committers = new WeakMap<Pool, GroupCommitter>();

/** The process's committer for the engine's pool, publishing to its queues. */
export function groupCommitterFor(ctx: Pick<EngineContext, "database" | "queues" | "log" | "metrics">): GroupCommitter {
  let committer = committers.get(ctx.database.pool);
  if (!committer) committers.set(ctx.database.pool, (committer = new GroupCommitter(ctx.database.pool, (ids) => publishStoredEvents(ctx, ids))));
  return committer;
}
