/** When to try again: exponential backoff with jitter, or the server's Retry-After when it gives one. */

/** Statuses worth retrying: rate limited, or the engine (or a dependency of it) unavailable. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Milliseconds to wait before attempt `attempt` (1-based), honouring Retry-After (seconds or an HTTP date). */
export function retryDelayMs(attempt: number, retryAfter: string | null, baseMs: number, maxMs: number, now = Date.now()): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(maxMs, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.min(maxMs, Math.max(0, date - now));
  }
  const exponential = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return exponential / 2 + Math.random() * (exponential / 2);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
