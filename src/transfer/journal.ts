// IXFR's memory: on every reload of a zone that may be transferred, the
// differences between the old and the new version are computed, as BIND's
// ixfr-from-differences does, and the latest are kept so that a secondary can
// catch up with only what changed. A change is kept as the wire form of the
// records that went and came, not as objects of the old version: those would
// keep every old version's data alive. The journal of a zone is capped in
// bytes, the oldest changes dropped first; a secondary further behind gets a
// full transfer.
import { readName } from '../wire/name.js';
import { writeRecord } from '../message/response.js';
import { readRData } from '../rrtypes/registry.js';
import { soaSerial } from '../rrtypes/soa.js';
import { RRType } from '../wire/types.js';
import { MessageWriter, WriterOverflow } from '../wire/writer.js';
import { Slices } from '../zone/slices.js';
import { serialGreater, type Zone, type ZoneChange, type ZoneRecord } from '../zone/zone.js';

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

/** The records of a change, read back from their wire form. */
export function* decodeRecords(buf: Buffer): Iterable<ZoneRecord> {
  let pos = 0;
  while (pos < buf.length) {
    const { name: owner, end } = readName(buf, pos);
    const type = buf.readUInt16BE(end);
    const ttl = buf.readUInt32BE(end + 4);
    const start = end + 10;
    pos = start + buf.readUInt16BE(end + 8);
    yield { owner, type, ttl, rdata: readRData(buf, start, pos, type) };
  }
}

/**
 * The records of `previous` that `next` lacks, and the other way round; SOA
 * apart. A pass over both versions that yields every 64 records, so that its
 * caller may let queries be answered while a large zone is compared.
 */
function* compare(previous: Zone, next: Zone): Generator<void, ZoneChange> {
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
  return { from: previous.soaRecord, to: next.soaRecord, deleted: encodeRecords([...before.values()]), added: encodeRecords(added) };
}

/** compare() in slices: queries are answered while a large zone is compared. */
export async function diffZones(previous: Zone, next: Zone): Promise<ZoneChange> {
  const slices = new Slices();
  const pass = compare(previous, next);
  for (let step = pass.next(); ; step = pass.next()) {
    if (step.done) return step.value;
    await slices.pause();
  }
}

export const changeBytes = (c: ZoneChange): number => c.deleted.length + c.added.length + CHANGE_OVERHEAD;

/** The newest changes that fit in `maxBytes` together. */
function newestWithin(changes: readonly ZoneChange[], maxBytes: number): ZoneChange[] {
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
  let change: ZoneChange | undefined;
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

function keep(previous: Zone, next: Zone, maxBytes: number, change: ZoneChange | undefined): void {
  if (change) next.changes = newestWithin([...previous.changes, change], maxBytes);
}

const serialOf = (r: ZoneRecord) => (r.type === RRType.SOA ? soaSerial(r.rdata) : -1);

/** The unbroken chain of changes from `serial` to the zone's current one, if the journal has it. */
export function changesSince(zone: Zone, serial: number): ZoneChange[] | undefined {
  const start = zone.changes.findIndex((c) => serialOf(c.from) === serial);
  if (start < 0) return undefined;
  const chain = zone.changes.slice(start);
  for (let i = 1; i < chain.length; i++) if (serialOf(chain[i]!.from) !== serialOf(chain[i - 1]!.to)) return undefined;
  return serialOf(chain[chain.length - 1]!.to) === zone.serial ? chain : undefined;
}
