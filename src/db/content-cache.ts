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
 * Concurrent misses of one entry share one load. An area with `staleForMs`, in a cache built with
 * `serveStale`, answers a caller who finds its entry expired (by age, never by revision) with the old value
 * while one refresh runs in the background, so no caller waits for a slow figure once it has been loaded
 * (stale-while-revalidate); the first load, a forgotten entry, and an entry older than maxAgeMs + staleForMs
 * still wait. Engines on the wall clock serve stale; engines on a hand-set clock (tests, the simulator) do not,
 * so which value a decision sees never depends on how fast a background query ran (src/engine.ts).
 *
 * An area without a kind may also hold values one step hands to a later one (`put`, then `take` once), with
 * the same engine-time life.
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
  /**
   * How long past `maxAgeMs` an expired entry is still served while one refresh runs in the background (when
   * the cache serves stale); unset, an expired entry waits for its reload.
   */
  readonly staleForMs?: number;
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

export interface ContentCacheOptions {
  /** Serve areas' expired entries within their `staleForMs` while refreshing in the background. */
  serveStale?: boolean;
  /** Told of a background refresh that failed (the old value stays, and the next caller tries again). */
  onRefreshError?: (error: unknown, area: string) => void;
}

export class ContentCache {
  private readonly areas = new Map<object, AreaState>();

  constructor(
    readonly revisions: ContentRevisions,
    private readonly clock: Clock,
    private readonly options: ContentCacheOptions = {},
  ) {}

  /** The entry for `key` in `area` if still valid, else what `load` returns (stored under the revision read first). */
  async get<V>(area: CacheArea<V>, key: string, load: () => Promise<V>): Promise<V> {
    // Read the revision BEFORE loading: content loaded afterwards is at least as new as the revision it is stored under.
    const revision = area.kind ? await this.revisions.revisionOf(area.kind) : null;
    const state = this.stateOf(area);
    const hit = state.entries.get(key);
    if (hit && hit.revision === revision) {
      if (this.young(area, hit, 0)) return hit.value as V;
      if (this.options.serveStale && area.staleForMs !== undefined && this.young(area, hit, area.staleForMs)) {
        if (state.loading.get(key)?.revision !== revision) {
          this.load(area, state, key, revision, load).catch((error: unknown) => this.options.onRefreshError?.(error, area.name));
        }
        return hit.value as V;
      }
    }
    const pending = state.loading.get(key);
    if (pending && pending.revision === revision) return pending.promise as Promise<V>;
    return this.load(area, state, key, revision, load);
  }

  /**
   * Stores a value handed from one step of this process to a later one (an area without a kind: it lives
   * `maxAgeMs` of engine time), for `take` to find; e.g. delivery states read at matching, reused at delivery.
   */
  put<V>(area: CacheArea<V>, key: string, value: V): void {
    if (area.kind !== null) throw new Error(`cache area ${area.name} follows a revision: only get() fills it`);
    const state = this.stateOf(area);
    if (area.maxEntries !== undefined && !state.entries.has(key) && state.entries.size >= area.maxEntries) state.entries.clear();
    state.entries.set(key, { value, revision: null, at: this.clock.now().getTime() });
  }

  /** Removes and returns the value put under `key`, if it is still young; undefined otherwise. */
  take<V>(area: CacheArea<V>, key: string): V | undefined {
    const state = this.areas.get(area);
    const entry = state?.entries.get(key);
    if (!state || !entry) return undefined;
    state.entries.delete(key);
    return this.young(area, entry, 0) ? (entry.value as V) : undefined;
  }

  /** Settles once every load under way has (e.g. before the database closes under background refreshes). */
  async idle(): Promise<void> {
    for (;;) {
      const loads = [...this.areas.values()].flatMap((state) => [...state.loading.values()].map((l) => l.promise));
      if (loads.length === 0) return;
      await Promise.allSettled(loads);
    }
  }

  private load<V>(area: CacheArea<V>, state: AreaState, key: string, revision: string | null, load: () => Promise<V>): Promise<V> {
    const epoch = state.epoch;
    const at = this.clock.now().getTime();
    const promise = load()
      .then((value) => {
        if (state.epoch === epoch) {
          if (area.maxEntries !== undefined && !state.entries.has(key) && state.entries.size >= area.maxEntries) state.entries.clear();
          state.entries.set(key, { value, revision, at });
        }
        return value;
      })
      .finally(() => {
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

  /** Whether `entry` is younger than the area's maxAgeMs + `graceMs` (an entry from the clock's future is not). */
  private young<V>(area: CacheArea<V>, entry: Entry, graceMs: number): boolean {
    if (area.maxAgeMs === undefined) return true;
    const now = this.clock.now().getTime();
    return now >= entry.at && now - entry.at < area.maxAgeMs + graceMs;
  }
}
