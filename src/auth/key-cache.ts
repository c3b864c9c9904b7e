/**
 * Cached API-key lookups, valid and unknown kept apart. Unknown secrets come from whoever sends them, so their
 * side is a bounded LRU that only ever evicts its own entries; valid keys only get in by existing in `api_keys`,
 * so a flood of random keys can never push them out and never costs a valid request a query.
 * Entries are keyed by the secret's hash, so no secret stays in memory.
 */
import type { Principal } from "./principal";

/** Looks a secret hash up in the store; null when no live key has it. */
export type KeyLookup = (secretHash: string) => Promise<Principal | null>;

export interface KeyCacheOptions {
  /** How long a valid key is trusted (a revocation elsewhere takes this long to be seen here). */
  ttlMs: number;
  /** How long an unknown secret is remembered (default: ttlMs). Secrets are random: none becomes valid later. */
  unknownTtlMs?: number;
  /** Most unknown secrets remembered; the least recently seen goes first. */
  maxUnknown?: number;
  /** Monotonic milliseconds (performance.now by default): expiry must not jump with the wall clock. */
  monotonicMs?: () => number;
}

export interface KeyCacheStats {
  /** Lookups that reached the store. */
  lookups: number;
  validEntries: number;
  unknownEntries: number;
}

const DEFAULT_MAX_UNKNOWN = 10_000;

export class KeyCache {
  private readonly valid = new Map<string, { principal: Principal; until: number }>();
  private readonly unknown = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<Principal | null>>();
  private readonly maxUnknown: number;
  private readonly monotonicMs: () => number;
  private lookups = 0;
  private lastSweep = 0;

  constructor(
    private readonly lookup: KeyLookup,
    private readonly options: KeyCacheOptions,
  ) {
    this.maxUnknown = options.maxUnknown ?? DEFAULT_MAX_UNKNOWN;
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
  }

  /**
   * What is known without asking the store: the principal of a valid key, null for a known-unknown
   * secret, undefined when the store must be asked. Never waits, so the hot path stays synchronous.
   */
  peek(secretHash: string): Principal | null | undefined {
    const now = this.monotonicMs();
    const valid = this.valid.get(secretHash);
    if (valid) {
      if (valid.until > now) return valid.principal;
      this.valid.delete(secretHash);
    }
    const unknownUntil = this.unknown.get(secretHash);
    if (unknownUntil !== undefined) {
      this.unknown.delete(secretHash);
      if (unknownUntil > now) {
        this.unknown.set(secretHash, unknownUntil); // most recently seen goes last (LRU order)
        return null;
      }
    }
    return undefined;
  }

  /** Asks the store (one query however many requests wait for the same secret) and remembers the answer. */
  async load(secretHash: string): Promise<Principal | null> {
    const pending = this.inFlight.get(secretHash);
    if (pending) return pending;
    const loading = this.lookupAndRemember(secretHash).finally(() => this.inFlight.delete(secretHash));
    this.inFlight.set(secretHash, loading);
    return loading;
  }

  /** Forgets every answer (after a key is revoked through this process). */
  clear(): void {
    this.valid.clear();
    this.unknown.clear();
  }

  /** Counters for tests and diagnosis. */
  stats(): KeyCacheStats {
    return { lookups: this.lookups, validEntries: this.valid.size, unknownEntries: this.unknown.size };
  }

  private async lookupAndRemember(secretHash: string): Promise<Principal | null> {
    this.lookups++;
    const principal = await this.lookup(secretHash);
    const now = this.monotonicMs();
    if (principal) {
      this.unknown.delete(secretHash);
      this.valid.set(secretHash, { principal, until: now + this.options.ttlMs });
      this.dropExpiredValid();
    } else {
      this.valid.delete(secretHash);
      this.unknown.delete(secretHash);
      this.unknown.set(secretHash, now + (this.options.unknownTtlMs ?? this.options.ttlMs));
      while (this.unknown.size > this.maxUnknown) this.unknown.delete(this.unknown.keys().next().value as string);
    }
    return principal;
  }

  /** Valid entries are as many as there are keys in use; idle or revoked ones are swept once per TTL at most. */
  private dropExpiredValid(): void {
    const now = this.monotonicMs();
    if (now - this.lastSweep < this.options.ttlMs) return;
    this.lastSweep = now;
    for (const [hash, entry] of this.valid) if (entry.until <= now) this.valid.delete(hash);
  }
}
