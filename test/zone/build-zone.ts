// A served Zone from records in memory, for tests; the server reads its zones
// from files (src/zone/load.ts), streaming the records into the builder.
import type { Name } from '../../src/wire/name.js';
import type { Diagnostic } from '../../src/zone/errors.js';
import type { ParsedRecord } from '../../src/zone/records.js';
import { VersionBuilder, type SoaDefaults } from '../../src/zone/version-builder.js';
import { Zone } from '../../src/zone/zone.js';

/** Throws ZoneLoadError when the records make an unservable zone, as a load does. */
export function buildZone(origin: Name, file: string, records: Iterable<ParsedRecord>, soaDefaults: SoaDefaults): { zone: Zone; diagnostics: Diagnostic[] } {
  const builder = new VersionBuilder(origin, file, soaDefaults);
  for (const r of records) builder.add(r, r.pos);
  const { version, positions, written, diagnostics } = builder.finish();
  return { zone: new Zone(version, file, positions, written), diagnostics };
}
