// IXFR's memory: on every reload of a zone that may be transferred, the
// differences between the old and the new version are computed, as BIND's
// ixfr-from-differences does, and the latest are kept so that a secondary can
// catch up with only what changed. A change is a changeset (src/zone/changeset.ts):
// the SOA before and after, and the wire form of the records that went and
// came, not objects of the old version: those would keep every old version's
// data alive. The journal of a zone is capped in
// bytes, the oldest changes dropped first; a secondary further behind gets a
// full transfer.
import { writeRecord } from '../message/response.js';
import { RRType } from '../wire/types.js';
import { MessageWriter, WriterOverflow } from '../wire/writer.js';
import { Slices } from '../zone/slices.js';
import { serialFrom, serialTo, type Changeset, type SoaState } from '../zone/changeset.js';
import { serialGreater, type Zone, type ZoneRecord } from '../zone/zone.js';

/** Default cap on one zone's journal (ixfr-journal-bytes). */
export const DEFAULT_JOURNAL_BYTES = 16 * 1024 * 1024;

/** What a change costs beside its records: the two SOA records and the objects around them. */
const CHANGE_OVERHEAD = 512;

function keyOf(r: ZoneRecord): string {
  return `${r.owner.key} ${r.type} ${r.ttl} ${r.rdata.toString('hex')}`;
}

/**
 * Records in wire form, one after another, names uncompressed so that each
 * stands alone. A record too large for a message throws WriterOverflow.
 */
function encodeRecords(records: readonly ZoneRecord[]): Buffer {
  const w = new MessageWriter(65535, false);
  return Buffer.concat(records.map((r) => {
    w.reset();
    writeRecord(w, r.owner, r.type, r.ttl, r.rdata);
    return w.result();
  }));
}

/**
 * The records of `previous` that `next` lacks, and the other way round; SOA
 * apart. A pass over both versions that yields every 64 records, so that its
 * caller may let queries be answered while a large zone is compared.
 */
function* compare(previous: Zone, next: Zone): Generator<void, Changeset> {
  const before = new Map<string, ZoneRecord>();
  let i = 0;
  for (const r of previous.records()) {
    if (r.type !== RRType.SOA) before.set(keyOf(r), r);
    if ((++i & 63) === 0) yield;
  }
  const added: ZoneRecord[] = [];
  for (const r of next.records()) {
    if (r.type !== RRType.SOA && !before.delete(keyOf(r))) added.push(r);
    if ((++i & 63) === 0) yield;
  }
  return { from: soaState(previous), to: soaState(next), removed: encodeRecords([...before.values()]), added: encodeRecords(added) };
}

/** compare() in slices: queries are answered while a large zone is compared. */
export async function diffZones(previous: Zone, next: Zone): Promise<Changeset> {
  const slices = new Slices();
  const pass = compare(previous, next);
  for (let step = pass.next(); ; step = pass.next()) {
    if (step.done) return step.value;
    await slices.pause();
  }
}

const soaState = (zone: Zone): SoaState => ({ ttl: zone.soa.ttl, rdata: zone.soa.rdata[0]! });

export const changeBytes = (c: Changeset): number => c.removed.length + c.added.length + CHANGE_OVERHEAD;

/** The newest changes that fit in `maxBytes` together. */
function newestWithin(changes: readonly Changeset[], maxBytes: number): Changeset[] {
  let total = 0;
  let first = changes.length;
  while (first > 0 && total + changeBytes(changes[first - 1]!) <= maxBytes) total += changeBytes(changes[--first]!);
  return changes.slice(first);
}

/**
 * Carries the journal over to a new version of a zone whose serial moved on.
 * `maxBytes` is 0 for a zone nobody may transfer: it keeps no journal at all.
 */
export async function recordChange(previous: Zone, next: Zone, maxBytes: number): Promise<void> {
  if (maxBytes <= 0 || !serialGreater(next.serial, previous.serial)) return;
  keep(previous, next, maxBytes, await diffZones(previous, next).catch(tooLarge));
}

/**
 * recordChange in one step, for a zone small enough to compare at once and
 * whose new version must be served in the same step as what caused it (the
 * catalog zone: src/lifecycle/catalog-zone.ts).
 */
export function recordChangeNow(previous: Zone, next: Zone, maxBytes: number): void {
  if (maxBytes <= 0 || !serialGreater(next.serial, previous.serial)) return;
  let change: Changeset | undefined;
  try {
    const pass = compare(previous, next);
    for (let step = pass.next(); ; step = pass.next()) {
      if (step.done) {
        change = step.value;
        break;
      }
    }
  } catch (e) {
    change = tooLarge(e);
  }
  keep(previous, next, maxBytes, change);
}

/** A record too large to stand in a message alone cannot be sent incrementally: no change is kept, secondaries get AXFR. */
function tooLarge(e: unknown): undefined {
  if (e instanceof WriterOverflow) return undefined;
  throw e;
}

function keep(previous: Zone, next: Zone, maxBytes: number, change: Changeset | undefined): void {
  if (change) next.changes = newestWithin([...previous.changes, change], maxBytes);
}

/** The unbroken chain of changes from `serial` to the zone's current one, if the journal has it. */
export function changesSince(zone: Zone, serial: number): Changeset[] | undefined {
  const start = zone.changes.findIndex((c) => serialFrom(c) === serial);
  if (start < 0) return undefined;
  const chain = zone.changes.slice(start);
  for (let i = 1; i < chain.length; i++) if (serialFrom(chain[i]!) !== serialTo(chain[i - 1]!)) return undefined;
  return serialTo(chain[chain.length - 1]!) === zone.serial ? chain : undefined;
}
