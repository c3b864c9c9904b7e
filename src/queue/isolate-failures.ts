/**
 * Poison isolation for batch jobs. One event or message that always fails (bad data, a bug its input alone
 * triggers) used to fail its whole batch on every attempt, holding back the 499 others of its chunk for as long
 * as the failed job was kept. Now a failing batch is bisected: each half runs on its own, down to single items,
 * so everything that can succeed does, and only the items that fail alone are left. Those are retried with the
 * job; on its final attempt they are marked failed on their rows (settlePoison), which takes them out of the
 * sweeper's reach and lists them for operators.
 *
 * An outage is not poison: when the database is down every item fails and none is to blame, so that error is
 * rethrown at once (the job is retried whole; nothing is marked).
 */
import { DependencyUnavailableError } from "../lib/errors";
import { isDatabaseDown } from "../db/database-down";

export interface ItemFailureReport<T> {
  item: T;
  error: Error;
}

/** True for errors that say a dependency is down rather than that an item is bad. */
export function isOutage(error: unknown): boolean {
  return error instanceof DependencyUnavailableError || isDatabaseDown(error);
}

/**
 * Runs `run` on the items, bisecting on failure; returns the items that failed alone. `run` must be idempotent
 * (items that succeeded may run again as part of a half that failed). Outages are rethrown.
 */
export async function isolateFailures<T>(items: T[], run: (items: T[]) => Promise<void>, outage: (error: unknown) => boolean = isOutage): Promise<Array<ItemFailureReport<T>>> {
  if (items.length === 0) return [];
  try {
    await run(items);
    return [];
  } catch (error) {
    if (outage(error)) throw error;
    if (items.length === 1) return [{ item: items[0], error: error instanceof Error ? error : new Error(String(error)) }];
  }
  const half = Math.ceil(items.length / 2);
  const first = await isolateFailures(items.slice(0, half), run, outage);
  const second = await isolateFailures(items.slice(half), run, outage);
  return [...first, ...second];
}

/**
 * What to do with items that failed alone: before the final attempt, fail the job so they are retried (the items
 * that succeeded are no-ops then); on the final attempt, hand them to `markFailed`.
 */
export async function settlePoison<T>(
  failed: Array<ItemFailureReport<T>>,
  total: number,
  attempt: { finalAttempt: boolean },
  markFailed: (failed: Array<ItemFailureReport<T>>) => Promise<void>,
): Promise<void> {
  if (failed.length === 0) return;
  if (!attempt.finalAttempt) throw new Error(`${failed.length} of ${total} items failed on their own; retrying them (first error: ${failed[0].error.message})`);
  await markFailed(failed);
}
