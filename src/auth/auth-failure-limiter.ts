/**
 * Counts failed authentications per client address in Redis (rate-limiter-flexible), so every API process of a
 * fleet enforces one limit: after `failures` failures within `windowSeconds` the address is blocked for
 * `blockSeconds`. Only failures count; a client that authenticates never uses up anything.
 *
 * When Redis is down or slow (over REDIS_TIMEOUT_MS) the same limits are counted in this process's memory (the
 * library's insurance limiter): weaker, since each process then counts alone, but never unlimited and never a
 * hang. Each process also remembers the addresses it saw blocked, so a blocked client's next requests are
 * refused without any Redis call or key lookup.
 */
import type { RedisClient } from "../queue/connection";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Logger } from "../lib/logger";

export interface AuthFailureLimits {
  failures: number;
  windowSeconds: number;
  blockSeconds: number;
}

/** A Redis round trip slower than this counts in memory instead: a failed login must not wait on Redis. */
const REDIS_TIMEOUT_MS = 250;
/** Blocked addresses remembered per process; past this, expired ones are dropped (then the oldest). */
const MAX_REMEMBERED_BLOCKS = 10_000;

export class AuthFailureLimiter {
  private readonly limiter: RateLimiterAbstract;
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    redis: RedisClient,
    keyPrefix: string,
    private readonly limits: AuthFailureLimits,
    private readonly log: Logger,
  ) {
    const counting = { points: limits.failures, duration: limits.windowSeconds, blockDuration: limits.blockSeconds };
    const insuranceLimiter = new RateLimiterMemory({ ...counting, keyPrefix });
    const shared = new RateLimiterRedis({ ...counting, storeClient: redis, keyPrefix, rejectIfRedisNotReady: true, insuranceLimiter });
    this.limiter = new RLWrapperTimeouts({ limiter: shared, timeoutMs: REDIS_TIMEOUT_MS, insuranceLimiter, blockDuration: limits.blockSeconds });
  }

  /** Milliseconds the client must still wait by what this process already knows (0: not known to be blocked). No I/O. */
  knownBlockMs(client: string): number {
    const until = this.blockedUntil.get(client);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left > 0) return left;
    this.blockedUntil.delete(client);
    return 0;
  }

  /** Milliseconds the client must still wait according to the shared count (0: not blocked). */
  async blockMs(client: string): Promise<number> {
    const known = this.knownBlockMs(client);
    if (known > 0) return known;
    try {
      const state = await this.limiter.get(client);
      if (state && state.consumedPoints > this.limits.failures && state.msBeforeNext > 0) return this.remember(client, state.msBeforeNext);
    } catch (err) {
      this.log.warn({ err }, "could not read the failed-authentication count");
    }
    return 0;
  }

  /** Counts one failure; returns how long the client must now wait (0 while it is still under the limit). */
  async recordFailure(client: string): Promise<number> {
    try {
      await this.limiter.consume(client);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return this.remember(client, rejection.msBeforeNext);
      this.log.warn({ err: rejection }, "could not count a failed authentication");
      return 0;
    }
  }

  private remember(client: string, waitMs: number): number {
    const wait = Math.max(1, waitMs);
    if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) this.forgetSome();
    this.blockedUntil.set(client, Date.now() + wait);
    return wait;
  }

  private forgetSome(): void {
    const now = Date.now();
    for (const [client, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(client);
    // Still full: forgetting the oldest only costs that client one more shared-count check.
    while (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) this.blockedUntil.delete(this.blockedUntil.keys().next().value as string);
  }
}
