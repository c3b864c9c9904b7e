/**
 * Which work a live job still holds. The sweeper finds events and messages the database says are not done;
 * most of them, during a backlog, sit in jobs that are waiting their turn. Re-enqueueing those doubles the
 * backlog exactly when the fleet is behind, so the sweeper asks here which of them no waiting, delayed or
 * active job holds — the orphans — and enqueues only those.
 *
 * The database is still the record: a job only *holds* an item; whether the item is done is read from its row.
 * An empty Redis holds nothing, so after a Redis restart everything not done is an orphan and is enqueued again.
 *
 * Cost: one atomic read of the live job ids (a script), then the payloads of live batch jobs, oldest first, only
 * until every candidate is found: the oldest unfinished items sit in the oldest jobs, so a backlog is settled in
 * the first pages. Jobs whose id names their item (a delayed delivery) are never loaded. The read is bounded:
 * past MAX_JOBS_READ batch jobs the answer is "incomplete" and nothing is called an orphan this round (the
 * workers shrink the backlog; a later sweep settles the rest), so the sweeper can never amplify a huge backlog.
 */
import type { Queue } from "bullmq";
import { withTimeout, type RedisClient } from "./connection";
import { jobByName, JOBS } from "./jobs";

/** Every state in which a job will still run (a paused queue keeps its jobs in `wait`). Read in one script, so no job is missed moving between them. */
const LIVE_STATES = ["delayed", "prioritized", "wait", "waiting-children", "active"] as const;
const PAGE = 100;
export const MAX_JOBS_READ = 2_000;

/** Candidates that no live job of `queue` holds; `complete` is false when the read stopped at its bound. */
export async function findOrphans(redis: RedisClient, queue: Queue, candidates: string[], timeoutMs: number): Promise<{ orphans: string[]; complete: boolean }> {
  const unseen = new Set(candidates);
  const jobIds = await withTimeout(queue.getRanges([...LIVE_STATES], 0, -1, true), timeoutMs, "live job ids");
  const idCarriers = Object.values(JOBS).flatMap((j) => ("itemOfJobId" in j && j.itemOfJobId ? [j.itemOfJobId] : []));
  const toRead: string[] = [];
  for (const jobId of jobIds) {
    const item = idCarriers.map((itemOf) => itemOf(jobId)).find((i) => i !== null);
    if (item) unseen.delete(item);
    else toRead.push(jobId);
  }
  for (let i = 0; i < toRead.length && unseen.size > 0; i += PAGE) {
    if (i >= MAX_JOBS_READ) return { orphans: [], complete: false };
    const page = toRead.slice(i, i + PAGE);
    const pipeline = redis.pipeline();
    for (const jobId of page) pipeline.hmget(queue.toKey(jobId), "name", "data");
    const replies = (await withTimeout(pipeline.exec(), timeoutMs, "live job payloads")) ?? [];
    for (const [error, fields] of replies) {
      if (error || !Array.isArray(fields)) continue; // finished and removed since the ids were read: it holds nothing
      for (const item of itemsOf(fields[0] as string | null, fields[1] as string | null)) unseen.delete(item);
    }
  }
  return { orphans: candidates.filter((id) => unseen.has(id)), complete: true };
}

/** The items a stored job holds, from its name and raw payload (nothing for unknown or unreadable jobs). */
function itemsOf(name: string | null, data: string | null): string[] {
  const entry = name ? jobByName(name) : null;
  if (!entry?.definition.items || data === null) return [];
  try {
    const parsed = entry.definition.payload.safeParse(JSON.parse(data));
    return parsed.success ? entry.definition.items(parsed.data) : [];
  } catch {
    return [];
  }
}
