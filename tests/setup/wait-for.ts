/**
 * How long a wait for a condition may take before the test fails. It only bounds a failure (a passing wait
 * returns as soon as its condition holds), so it is generous: on a busy machine (the whole suite, benchmarks,
 * other builds) what takes a second idle can take tens of seconds. Below Jest's testTimeout, so a wait that
 * times out says what it was waiting for.
 */
export const PATIENCE_MS = 90_000;

/** Polls `read` until `done` holds (or fails after `timeoutMs`): for asserting on asynchronous workers. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = PATIENCE_MS, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await read();
  }
  return last;
}
