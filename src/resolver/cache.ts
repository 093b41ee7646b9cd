// A bounded cache of entries that expire: least recently used first out when
// full, expired entries dropped when met. Full means too many entries or too
// many bytes: an upstream (or someone forging its answers) decides how large
// each answer is, so a count alone does not bound memory. A Map keeps
// insertion order, so re-inserting on every hit keeps the least recently used
// entry first.

export interface Expiring {
  /** Milliseconds on the cache's clock. */
  expiresAt: number;
  /** What the entry costs in memory, roughly: counted against the cache's byte bound. */
  bytes: number;
}

export class LruCache<V extends Expiring> {
  private readonly entries = new Map<string, V>();
  evictions = 0;
  /** The bytes of the entries held, keys included. */
  bytes = 0;

  constructor(readonly maxEntries: number, readonly maxBytes = Infinity) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) {
      this.bytes -= cost(key, entry);
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: V): void {
    this.delete(key);
    // An entry larger than the whole cache would only push everything else out, and then itself.
    if (cost(key, entry) > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += cost(key, entry);
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.delete(this.entries.keys().next().value!);
      this.evictions++;
    }
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= cost(key, old);
  }

  /** Drops the entries whose key passes `test`; returns how many. */
  deleteWhere(test: (key: string) => boolean): number {
    const keys = [...this.entries.keys()].filter(test);
    for (const key of keys) this.delete(key);
    return keys.length;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/** A key is a string of UTF-16 code units; the entry says what it costs. */
const cost = (key: string, entry: Expiring) => 2 * key.length + entry.bytes;
