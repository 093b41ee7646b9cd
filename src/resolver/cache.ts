// A bounded cache of entries that expire: least recently used first out when
// full, expired entries dropped when met. A Map keeps insertion order, so
// re-inserting on every hit keeps the least recently used entry first.

export interface Expiring {
  /** Milliseconds on the cache's clock. */
  expiresAt: number;
}

export class LruCache<V extends Expiring> {
  private readonly entries = new Map<string, V>();
  evictions = 0;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: V): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
      this.evictions++;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
