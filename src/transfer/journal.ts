// IXFR's memory: on every reload the differences between the old and the new
// version are computed, as BIND's ixfr-from-differences does, and the last few
// are kept so that a secondary can catch up with only what changed.
import { encodeRData } from '../wire/rdata.js';
import { RRType } from '../wire/types.js';
import { serialGreater, type Zone, type ZoneChange, type ZoneRecord } from '../zone/zone.js';

/** How many versions back a secondary can ask for an incremental transfer. */
export const JOURNAL_LENGTH = 20;

function keyOf(r: ZoneRecord): string {
  return `${r.owner.key} ${r.type} ${r.ttl} ${encodeRData(r.rdata).toString('hex')}`;
}

/** The records of `previous` that `next` lacks, and the other way round; SOA apart. */
export function diffZones(previous: Zone, next: Zone): ZoneChange {
  const before = new Map<string, ZoneRecord>();
  for (const r of previous.records()) if (r.type !== RRType.SOA) before.set(keyOf(r), r);
  const added: ZoneRecord[] = [];
  for (const r of next.records()) {
    if (r.type === RRType.SOA) continue;
    const k = keyOf(r);
    if (!before.delete(k)) added.push(r);
  }
  return { from: previous.soaRecord, to: next.soaRecord, deleted: [...before.values()], added };
}

/** Carries the journal over to a new version of a zone whose serial moved on. */
export function recordChange(previous: Zone, next: Zone): void {
  if (!serialGreater(next.serial, previous.serial)) return;
  next.changes = [...previous.changes, diffZones(previous, next)].slice(-JOURNAL_LENGTH);
}

const serialOf = (r: ZoneRecord) => (r.rdata.kind === 'SOA' ? r.rdata.serial : -1);

/** The unbroken chain of changes from `serial` to the zone's current one, if the journal has it. */
export function changesSince(zone: Zone, serial: number): ZoneChange[] | undefined {
  const start = zone.changes.findIndex((c) => serialOf(c.from) === serial);
  if (start < 0) return undefined;
  const chain = zone.changes.slice(start);
  for (let i = 1; i < chain.length; i++) if (serialOf(chain[i]!.from) !== serialOf(chain[i - 1]!.to)) return undefined;
  return serialOf(chain[chain.length - 1]!.to) === zone.serial ? chain : undefined;
}
