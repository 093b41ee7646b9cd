// A served Zone from records in memory: the zones rotor writes itself (the
// catalog zone) and tests. Zone files stream their records into the builder
// instead (src/zone/load.ts).
import type { Name } from '../wire/name.js';
import type { Diagnostic } from './errors.js';
import type { ParsedRecord } from './records.js';
import { VersionBuilder, type SoaDefaults } from './version-builder.js';
import { Zone } from './zone.js';

/** Throws ZoneLoadError when the records make an unservable zone, as a load does. */
export function buildZone(origin: Name, file: string, records: Iterable<ParsedRecord>, soaDefaults: SoaDefaults): { zone: Zone; diagnostics: Diagnostic[] } {
  const builder = new VersionBuilder(origin, file, soaDefaults);
  for (const r of records) builder.add(r, r.pos);
  const { version, positions, written, diagnostics } = builder.finish();
  return { zone: new Zone(version, file, positions, written), diagnostics };
}
