// The zones being served, found by longest-suffix match on the query name.
// Finding the zone is query processing: the answer step is handed the zone.
import type { Name } from '../wire/name.js';
import type { Zone } from '../zone/zone.js';

export class Catalog {
  private readonly zones = new Map<string, Zone>();
  /**
   * Counts the zones added under an origin not served before: only such a zone
   * can take names from another (a child cut out of its parent). What is derived
   * per zone (the answer memo) is tied to the Zone object it came from, which a
   * reload replaces, so an edit of one zone leaves the others' untouched.
   */
  added = 0;

  get size(): number {
    return this.zones.size;
  }

  /** Adds or replaces a zone: one Map assignment, so a query sees the old zone or the new one. */
  set(zone: Zone): void {
    if (!this.zones.has(zone.origin.key)) this.added++;
    this.zones.set(zone.origin.key, zone);
  }

  delete(origin: string): boolean {
    return this.zones.delete(origin);
  }

  get(origin: string): Zone | undefined {
    return this.zones.get(origin);
  }

  /** Whether `zone` is the version served under its origin. */
  current(zone: Zone): boolean {
    return this.zones.get(zone.origin.key) === zone;
  }

  all(): IterableIterator<Zone> {
    return this.zones.values();
  }

  /** The most specific zone containing `name`, if we serve one. */
  find(name: Name): Zone | undefined {
    for (let i = 0; i <= name.labels.length; i++) {
      const zone = this.zones.get(name.suffixKey(i));
      if (zone) return zone;
    }
    return undefined;
  }
}
