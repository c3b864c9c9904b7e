/**
 * A bounded least-recently-used map. Compiled templates are small but a busy tenant can have
 * thousands of (template, version, variant, locale, field) combinations; the bound keeps memory flat.
 * Relies on Map keeping insertion order: re-inserting on read moves an entry to the "recent" end.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
  }

  /** The value for `key`, marking it most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** How many entries are held. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets everything (tests, or after a bulk template change). */
  clear(): void {
    this.entries.clear();
  }
}
