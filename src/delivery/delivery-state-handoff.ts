/**
 * Matching reads each learner's delivery state to predict the throttle; delivery, moments later, read it again
 * to decide. It is the costliest read of both steps (a returning learner's history rows, parsed in this
 * process, then garbage), so matching hands the states it read to delivery in the same process: a delivery
 * that finds its learner's state here decides on the state derived from it (deriveDeliveryState: exactly the
 * rows a read at that time would return) instead of reading again.
 *
 * Why a decision made this way is the one a read would give: the state is reused only under the learner's
 * delivery version it was read with, and every write that changes what a state holds moves that version —
 * a delivery (write-delivery.ts), feedback on a delivered message (seen, dismissed, voted, answered:
 * record-feedback.ts, and the simulator's batch writer) and the learner's preferences (learner-preferences.ts).
 * A decision on a handed-over state is written only as a delivery, whose write checks that version and bumps
 * it; if it moved, nothing of the learner is written and the next round decides again on a fresh read. Any
 * other outcome on a handed-over state (defer, suppress, a paused variant, a failed render) is not written
 * either: the learner is decided again on a fresh read, since those writes do not check the version.
 *
 * What it does not cover: a delivery job run by another process finds nothing here and reads, as before; an
 * entry is taken once and lives a minute of engine time (a backlogged delivery reads), so rows changed behind
 * the engine's back (by hand, in SQL) are read again within a minute at most.
 */
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import { deriveDeliveryState, type AskedRule, type DeliveryState, type LoadedDeliveryState } from "./delivery-state";

/** States read at matching, by learner, for the deliveries that follow it. */
const HANDED_OVER = cacheArea<LoadedDeliveryState>({ name: "delivery-states-handed-over", kind: null, maxAgeMs: 60_000, maxEntries: 100_000 });

/** Keeps the states read at matching for the deliveries of the messages it scheduled (throttle off: nothing to keep). */
export function handOverDeliveryStates(ctx: Pick<EngineContext, "cache">, states: Iterable<[learnerId: string, state: LoadedDeliveryState]>): void {
  for (const [learnerId, state] of states) if (state.version !== null) ctx.cache.put(HANDED_OVER, learnerId, state);
}

/**
 * The states handed over for these learners that hold their rules at `at`, derived (deriveDeliveryState), each
 * taken from the hand-over: a learner missing from the answer must be read.
 */
export function takeHandedOverStates(ctx: Pick<EngineContext, "cache">, learners: Map<string, AskedRule[]>, at: Date): Map<string, DeliveryState> {
  const states = new Map<string, DeliveryState>();
  for (const [learnerId, rules] of learners) {
    const handed = ctx.cache.take(HANDED_OVER, learnerId);
    const state = handed ? deriveDeliveryState(handed, rules, at) : null;
    if (state) states.set(learnerId, state);
  }
  return states;
}
