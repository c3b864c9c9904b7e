/**
 * Backoff for a worker whose Redis keeps answering with an error. BullMQ retries fetching the next job at once
 * after an error it does not take for a connection error (it waits only on ECONNREFUSED and closed sockets): a
 * single-node client pointed at a Redis Cluster node that does not own the queue's slot logged 111,931 MOVED
 * errors in 20 s, and a read-only replica after a failover (READONLY) or a Redis out of memory (OOM) would do the
 * same. So after an error the worker pauses — fetching nothing new, its running jobs go on — for a delay that
 * doubles with each error in a row (1 s, 2 s, 4 s … at most 30 s), and resumes. A finished job (or a quiet spell)
 * resets the delay.
 */
import type { Worker } from "bullmq";

export interface BackoffOptions {
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** How long the worker has paused in a row; exposed for tests and logs. */
export interface WorkerBackoff {
  /** Errors in a row that paused the worker since the last success. */
  readonly errorsInARow: number;
  /** Whether the worker is paused now, waiting out its delay. */
  readonly backingOff: boolean;
}

/** Pauses `worker` after each error, for a doubling delay, and resumes it; stops when the worker closes. */
export function backOffOnErrors(worker: Worker, options: BackoffOptions = {}): WorkerBackoff {
  const first = options.firstDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 30_000;
  let errorsInARow = 0;
  let lastErrorAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let closing = false;

  const resume = () => {
    timer = null;
    if (!closing) void worker.resume();
  };
  worker.on("error", () => {
    if (closing || timer) return; // already waiting: the errors of jobs fetched before the pause add nothing
    const now = Date.now();
    if (now - lastErrorAt > max * 2) errorsInARow = 0; // a quiet spell since the last one: this is news, start short
    lastErrorAt = now;
    errorsInARow++;
    const delay = Math.min(first * 2 ** (errorsInARow - 1), max);
    // Not waiting for running jobs: they finish (or fail) on their own while the worker fetches nothing new.
    void worker.pause(true).catch(() => undefined);
    timer = setTimeout(resume, delay);
    timer.unref();
  });
  const succeeded = () => {
    if (!timer) errorsInARow = 0;
  };
  worker.on("completed", succeeded);
  worker.on("closing", () => {
    closing = true;
    if (timer) clearTimeout(timer);
    timer = null;
  });
  return {
    get errorsInARow() {
      return errorsInARow;
    },
    get backingOff() {
      return timer !== null;
    },
  };
}
