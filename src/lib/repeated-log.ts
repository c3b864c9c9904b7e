/**
 * A log line for an error that repeats while a dependency is down (a worker's Redis connection during an outage
 * fails several times a second, per worker). The first occurrence is logged at once; later ones are counted and
 * logged with that count at doubling intervals (1 s, 2 s, 4 s … at most a minute), so an outage reads as a few
 * lines, not thousands. After a quiet spell as long as the current interval, the next occurrence is news again.
 */
import type { Logger } from "./logger";

export class RepeatedLog {
  private gapMs: number;
  private nextAt = 0;
  private lastAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly message: string,
    private readonly options: { firstGapMs?: number; maxGapMs?: number; now?: () => number } = {},
  ) {
    this.gapMs = options.firstGapMs ?? 1_000;
  }

  /** Logs this occurrence (with how many were held back since the last line) or counts it. */
  report(fields: Record<string, unknown>): void {
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastAt > this.gapMs) this.gapMs = this.options.firstGapMs ?? 1_000;
    this.lastAt = now;
    if (now < this.nextAt) {
      this.suppressed++;
      return;
    }
    this.log.warn({ ...fields, ...(this.suppressed ? { repeatedSinceLastLine: this.suppressed } : {}) }, this.message);
    this.suppressed = 0;
    this.nextAt = now + this.gapMs;
    this.gapMs = Math.min(this.gapMs * 2, this.options.maxGapMs ?? 60_000);
  }
}

const perLogger = new WeakMap<Logger, Map<string, RepeatedLog>>();

/** The process's RepeatedLog for a logger and message: the same line from many requests during one outage is one line. */
export function repeatedLogFor(log: Logger, message: string): RepeatedLog {
  let byMessage = perLogger.get(log);
  if (!byMessage) perLogger.set(log, (byMessage = new Map()));
  let repeated = byMessage.get(message);
  if (!repeated) byMessage.set(message, (repeated = new RepeatedLog(log, message)));
  return repeated;
}
