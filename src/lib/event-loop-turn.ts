/**
 * Long loops over a batch (judging 500 events, rendering 500 messages) await only promises that are already
 * settled, which run as microtasks: the loop holds the event loop until it ends, and everything else this
 * process serves waits behind it — an ingest request whose commit is done, waiting to be answered, most of
 * all. Giving a turn every few dozen items bounds that wait without changing what the loop computes.
 */

/** Items a loop handles between two turns given to the event loop. */
export const ITEMS_PER_TURN = 50;

/** Resolves after the event loop has run the I/O callbacks waiting now (setImmediate runs after the poll phase). */
export function giveEventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Gives the event loop a turn after every ITEMS_PER_TURN items of a loop (`i` is the index of the item just handled). */
export async function turnEvery(i: number): Promise<void> {
  if (i % ITEMS_PER_TURN === ITEMS_PER_TURN - 1) await giveEventLoopTurn();
}
