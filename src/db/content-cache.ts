/**
 * The engine's one cache, held on the context (ctx.cache) rather than in module-level maps, so two engines
 * in one process (tests, a simulator beside a service) never share entries, and every cached thing follows
 * the same rule:
 *
 * - content that staff change (rules, templates, segments, policy) belongs to a `kind`; an entry is used
 *   while the database's revision of that kind is the one it was loaded under (src/db/content-revisions.ts),
 *   so a change through any process reaches every process within POLL_MS, whatever their clocks;
 * - figures derived from traffic (variant outcomes, gate priors) have no revision; they live `maxAgeMs` of
 *   ENGINE time (ctx.clock), so the simulator, whose clock runs weeks in minutes, sees them as fresh as the
 *   service would; an entry from the clock's future (a clock set back for a new run) is a miss.
 *
 * Concurrent misses of one entry share one load.
 */
import type { Clock } from "../lib/clock";
import type { ContentKind, ContentRevisions } from "./content-revisions";

/** A named part of the cache and how its entries go stale. Declare one per module as a constant: it holds no data. */
export interface CacheArea<V> {
  readonly name: string;
  /** Entries are reloaded when this kind's revision moves; null for data without one (then `maxAgeMs`). */
  readonly kind: ContentKind | null;
  /** Engine-time life of an entry; unbounded when absent. */
  readonly maxAgeMs?: number;
  /** The area is emptied when a new key would take it past this (a crude bound, enough for content). */
  readonly maxEntries?: number;
  /** Ties the area to its value type; never set. */
  readonly valueType?: (value: V) => V;
}

interface Entry {
  value: unknown;
  revision: string | null;
  at: number;
}

interface AreaState {
  entries: Map<string, Entry>;
  loading: Map<string, { revision: string | null; promise: Promise<unknown> }>;
  /** Bumped by forget(): a load begun before it does not store its (possibly older) value. */
  epoch: number;
}

/** Declares an area; the value type comes from the type argument. */
export function cacheArea<V>(spec: Omit<CacheArea<V>, "valueType">): CacheArea<V> {
  return spec;
}

export class ContentCache {
  private readonly areas = new Map<object, AreaState>();

  constructor(readonly revisions: ContentRevisions, private readonly clock: Clock) {}

  /** The entry for `key` in `area` if still valid, else what `load` returns (stored under the revision read first). */
  async get<V>(area: CacheArea<V>, key: string, load: () => Promise<V>): Promise<V> {
    // Read the revision BEFORE loading: content loaded afterwards is at least as new as the revision it is stored under.
    const revision = area.kind ? await this.revisions.revisionOf(area.kind) : null;
    const state = this.stateOf(area);
    const hit = state.entries.get(key);
    if (hit && hit.revision === revision && this.young(area, hit)) return hit.value as V;
    const pending = state.loading.get(key);
    if (pending && pending.revision === revision) return pending.promise as Promise<V>;
    const epoch = state.epoch;
    const at = this.clock.now().getTime();
    const promise = load().then((value) => {
      if (state.epoch === epoch) {
        if (area.maxEntries !== undefined && !state.entries.has(key) && state.entries.size >= area.maxEntries) state.entries.clear();
        state.entries.set(key, { value, revision, at });
      }
      return value;
    }).finally(() => {
      if (state.loading.get(key)?.promise === promise) state.loading.delete(key);
    });
    state.loading.set(key, { revision, promise });
    return promise;
  }

  /** Drops an area's entry for `key`, or all its entries (e.g. after this process recomputed what it holds). */
  forget<V>(area: CacheArea<V>, key?: string): void {
    const state = this.areas.get(area);
    if (!state) return;
    state.epoch++;
    if (key === undefined) {
      state.entries.clear();
      state.loading.clear();
    } else {
      state.entries.delete(key);
      state.loading.delete(key);
    }
  }

  /**
   * Call after committing a change of `kind` through this process: the next read re-reads the revisions
   * (which the change's transaction bumped), so this process applies its own change at once.
   */
  changed(kind: ContentKind): void {
    this.revisions.invalidate();
    for (const [area, state] of this.areas) {
      if ((area as CacheArea<unknown>).kind === kind) {
        state.epoch++;
        state.entries.clear();
        state.loading.clear();
      }
    }
  }

  private stateOf(area: object): AreaState {
    let state = this.areas.get(area);
    if (!state) this.areas.set(area, (state = { entries: new Map(), loading: new Map(), epoch: 0 }));
    return state;
  }

  private young<V>(area: CacheArea<V>, entry: Entry): boolean {
    if (area.maxAgeMs === undefined) return true;
    const now = this.clock.now().getTime();
    return now >= entry.at && now - entry.at < area.maxAgeMs;
  }
}
