// The zones being served, found by longest-suffix match on the query name.
import type { Name } from '../wire/name.js';
import type { Zone } from '../zone/zone.js';

export class Catalog {
  private readonly zones = new Map<string, Zone>();
  /** Counts changes, so that whatever is derived from the zones (prepared answers) knows when to start over. */
  generation = 0;

  get size(): number {
    return this.zones.size;
  }

  /** Adds or replaces a zone: one Map assignment, so a query sees the old zone or the new one. */
  set(zone: Zone): void {
    this.zones.set(zone.origin.key, zone);
    this.generation++;
  }

  delete(origin: string): boolean {
    this.generation++;
    return this.zones.delete(origin);
  }

  get(origin: string): Zone | undefined {
    return this.zones.get(origin);
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
