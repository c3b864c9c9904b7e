/**
 * Turns a presented secret into a principal, in the order that keeps guessing slow and valid callers fast:
 *
 *   1. an address this process knows to be blocked gets 429 at once: no key lookup, no Redis;
 *   2. a learner token is checked by its signature (no I/O); a forged one counts as a failure, an expired one not
 *      (only we can sign, so it is a late caller, not a guess);
 *   3. a cached valid key is accepted; a secret already known to be unknown is 401 without counting again (it
 *      is no new guess, and costs nothing: a client stuck on a stale key does not lock out its address);
 *   4. otherwise the shared failure count is read first (an address blocked by another process gets 429 before
 *      its key is looked up), then the key is looked up once and cached.
 *
 * A failure counts against the client address; the failure that crosses the limit already answers 429. While
 * blocked, every request with credentials is answered 429, a valid key included: otherwise the answers would
 * tell a right guess from a wrong one. A client that authenticates never uses up its allowance.
 */
import type { Db } from "../db/client";
import { TooManyRequestsError, UnauthorizedError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { findKeyPrincipalByHash } from "./api-keys";
import { AuthFailureLimiter, type AuthFailureLimits } from "./auth-failure-limiter";
import { KeyCache } from "./key-cache";
import { KeyUsageRecorder } from "./key-usage";
import { isLearnerToken, readLearnerToken } from "./learner-tokens";
import type { Principal } from "./principal";
import { hashSecret } from "./secrets";
import type { RedisClient } from "../queue/connection";

const UNKNOWN_KEY = "Unknown or revoked API key";
/** Unknown secrets are remembered 5 minutes: a revoked key still in use counts as a failure once per 5 minutes per process. */
const UNKNOWN_KEY_TTL_MS = 5 * 60_000;

export interface CredentialGuardOptions {
  db: Db;
  redis: RedisClient;
  /** Namespace of the shared failure counts; processes of one deployment share it. */
  keyPrefix: string;
  limits: AuthFailureLimits;
  keyCacheMs: number;
  /** Most unknown secrets the key cache remembers. */
  maxUnknownKeys: number;
  tokenKey: string;
  log: Logger;
}

export class CredentialGuard {
  readonly keys: KeyCache;
  readonly failures: AuthFailureLimiter;
  private readonly usage: KeyUsageRecorder;

  constructor(private readonly options: CredentialGuardOptions) {
    this.keys = new KeyCache((hash) => findKeyPrincipalByHash(options.db, hash), {
      ttlMs: options.keyCacheMs,
      unknownTtlMs: Math.max(options.keyCacheMs, UNKNOWN_KEY_TTL_MS),
      maxUnknown: options.maxUnknownKeys,
    });
    this.failures = new AuthFailureLimiter(options.redis, options.keyPrefix, options.limits, options.log);
    this.usage = new KeyUsageRecorder(options.db, options.log);
  }

  /**
   * The principal for `secret` sent from `client` (an address key, see src/http/client-address.ts).
   * Throws 401 for an unknown, revoked, forged or expired credential and 429 while the client is blocked.
   */
  async authenticate(secret: string, client: string, now: Date): Promise<Principal> {
    this.refuseIfBlocked(this.failures.knownBlockMs(client));
    if (isLearnerToken(secret)) {
      const token = readLearnerToken(this.options.tokenKey, secret, now);
      if (token.outcome === "valid") return { kind: "learner", learnerId: token.claims.learnerId, expiresAt: token.claims.expiresAt };
      if (token.outcome === "expired") throw new UnauthorizedError("The learner token is invalid or expired");
      return this.fail(client, "The learner token is invalid or expired");
    }
    const hash = hashSecret(secret);
    const known = this.keys.peek(hash);
    if (known === null) throw new UnauthorizedError(UNKNOWN_KEY);
    let principal: Principal | null | undefined = known;
    if (principal === undefined) {
      this.refuseIfBlocked(await this.failures.blockMs(client));
      principal = await this.keys.load(hash);
    }
    if (!principal) return this.fail(client, UNKNOWN_KEY);
    if (principal.kind === "key") this.usage.record(principal.keyId, now);
    return principal;
  }

  /** Forgets cached keys (after a revocation through this process; other processes follow within the cache TTL). */
  forgetKeys(): void {
    this.keys.clear();
  }

  private async fail(client: string, message: string): Promise<never> {
    this.refuseIfBlocked(await this.failures.recordFailure(client));
    throw new UnauthorizedError(message);
  }

  private refuseIfBlocked(waitMs: number): void {
    if (waitMs <= 0) return;
    throw new TooManyRequestsError("Too many failed authentications from this address; try again later", Math.ceil(waitMs / 1000));
  }
}
