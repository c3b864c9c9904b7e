/**
 * A cache per owner (a connection pool) whose entries live for a span of engine time — the injected Clock,
 * not the wall clock — so the simulator, whose clock runs weeks in minutes, sees data as fresh as the
 * service would; an entry from the clock's future (a clock set back for a new simulated run) is a miss.
 */
import type { Clock } from "./clock";

export class EngineTimeCache<V> {
  private readonly owners = new WeakMap<object, Map<string, { at: number; value: V }>>();

  constructor(private readonly ttlMs: number) {}

  /** The cached value for (owner, key), or what `load` returns, kept for `ttlMs` of `clock` time. */
  async get(owner: object, key: string, clock: Clock, load: () => Promise<V>): Promise<V> {
    let entries = this.owners.get(owner);
    if (!entries) this.owners.set(owner, (entries = new Map()));
    const now = clock.now().getTime();
    const hit = entries.get(key);
    if (hit && now >= hit.at && now - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    entries.set(key, { at: now, value });
    return value;
  }

  /** Drops every entry of an owner (after a write that makes them stale). */
  forget(owner: object): void {
    this.owners.delete(owner);
  }
}
