// Every change to a zone is a changeset: the records that go, the records that
// come, and the SOA before and after (as Knot DNS's changesets and RFC 1995's
// difference sequences have it). File reloads make one with diff(); RFC 2136
// updates and a signer will make them too; apply() turns a version and a
// changeset into the next version. The IXFR journal keeps changesets.
//
// Records are kept in wire form, one after another (owner uncompressed, type,
// class IN, TTL, RDATA length, RDATA): a changeset holds no objects of either
// version, costs its octets, and is what IXFR sends.
//
// apply() writes the next version in one merge pass over the old one, copying
// what did not change octet by octet: no sort, no object per record, and the
// result is again a handful of flat buffers that cross threads whole. Sharing
// unchanged parts between versions instead would need chunked heaps and an
// indirection on every lookup, for a saving that only matters for small
// changes to huge zones; a pass over 1,000,000 records costs a fraction of a
// second (bench/zone-version.ts measures it).
import { readName, type Name } from '../wire/name.js';
import { RRClass, RRType, typeName } from '../wire/types.js';
import { compareKeys, MAX_KEY, nameWire, needsCase, relativeKey, wireOf } from './canonical.js';
import { bytes } from './columns.js';
import { soaSerial } from '../rrtypes/soa.js';
import type { VersionRecord, ZoneVersion } from './version.js';
import { VersionWriter } from './version-writer.js';

export interface SoaState {
  ttl: number;
  rdata: Buffer;
}

export interface Changeset {
  from: SoaState;
  to: SoaState;
  /** Records in wire form (see above), SOA apart. */
  removed: Buffer;
  added: Buffer;
}

export class ChangesetError extends Error {}

export const serialFrom = (c: Changeset): number => soaSerial(c.from.rdata);
export const serialTo = (c: Changeset): number => soaSerial(c.to.rdata);

/** The records of `removed` or `added`. */
export function* changeRecords(buf: Buffer): Iterable<VersionRecord> {
  let pos = 0;
  while (pos < buf.length) {
    const { name: owner, end } = readName(buf, pos);
    const type = buf.readUInt16BE(end);
    const ttl = buf.readUInt32BE(end + 4);
    const start = end + 10;
    pos = start + buf.readUInt16BE(end + 8);
    yield { owner, type, ttl, rdata: buf.subarray(start, pos) };
  }
}

const ownerScratch = new Uint8Array(256);

/** Writes records in a changeset's wire form. */
export class RecordList {
  private readonly out = bytes();

  /** `owner[0, length)`: labels without the root octet. */
  add(owner: Uint8Array, length: number, type: number, ttl: number, rdata: Uint8Array, start = 0, end = rdata.length): void {
    const o = this.out;
    o.append(owner, 0, length);
    o.reserve(11);
    const d = o.data;
    let at = o.length;
    d[at++] = 0;
    d[at++] = type >> 8; d[at++] = type & 0xff;
    d[at++] = 0; d[at++] = RRClass.IN;
    d[at++] = ttl >>> 24; d[at++] = (ttl >> 16) & 0xff; d[at++] = (ttl >> 8) & 0xff; d[at++] = ttl & 0xff;
    d[at++] = (end - start) >> 8; d[at++] = (end - start) & 0xff;
    o.length = at;
    o.append(rdata, start, end);
  }

  addRecord(r: VersionRecord): void {
    this.add(ownerScratch, nameWire(r.owner, ownerScratch), r.type, r.ttl, r.rdata);
  }

  finish(): Buffer {
    const d = this.out.finish();
    return Buffer.from(d.buffer, d.byteOffset, d.length);
  }
}

// --- diff

/** Nodes compared between two pauses of diffSliced. */
const NODES_PER_STEP = 256;

/** The changeset that turns `old` into `next` (same zone). */
export function diff(old: ZoneVersion, next: ZoneVersion): Changeset {
  const steps = diffing(old, next);
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/** diff(), letting other work in whenever `pause` returns a promise (see slices.ts). */
export async function diffSliced(old: ZoneVersion, next: ZoneVersion, pause: () => Promise<void> | undefined): Promise<Changeset> {
  const steps = diffing(old, next);
  let r = steps.next();
  while (!r.done) {
    await pause();
    r = steps.next();
  }
  return r.value;
}

function* diffing(a: ZoneVersion, b: ZoneVersion): Generator<void, Changeset> {
  const removed = new RecordList();
  const added = new RecordList();
  const owner = new Uint8Array(256);
  /** Writes the owner of `node` of `v` into `owner`; returns its length. */
  const ownerOf = (v: ZoneVersion, node: number): number => v.ownerWire(node, owner);
  const all = (v: ZoneVersion, node: number, set: number, list: RecordList) => {
    const length = ownerOf(v, node);
    const [start, end] = v.recordsOf(set);
    for (let r = start; r < end; r++) list.add(owner, length, v.setType(set), v.setTtl(set), v.rdata(r));
  };
  const { keys: ak, keyStart: as } = a.columns;
  const { keys: bk, keyStart: bs } = b.columns;
  let i = 0;
  let j = 0;
  while (i < a.nodeCount || j < b.nodeCount) {
    const c = i >= a.nodeCount ? 1 : j >= b.nodeCount ? -1 : compareKeys(ak, as[i]!, as[i + 1]!, bk, bs[j]!, bs[j + 1]!);
    if (c < 0) {
      for (let s = a.setsOf(i)[0]; s < a.setsOf(i)[1]; s++) all(a, i, s, removed);
      i++;
    } else if (c > 0) {
      for (let s = b.setsOf(j)[0]; s < b.setsOf(j)[1]; s++) all(b, j, s, added);
      j++;
    } else {
      for (let s = a.setsOf(i)[0]; s < a.setsOf(i)[1]; s++) {
        const type = a.setType(s);
        if (i === 0 && type === RRType.SOA) continue;
        const t = b.rrset(j, type);
        if (t < 0 || a.setTtl(s) !== b.setTtl(t)) {
          all(a, i, s, removed);
          if (t >= 0) all(b, j, t, added);
          continue;
        }
        diffSet(a, s, b, t, (v, r) => {
          const length = ownerOf(v, v === a ? i : j);
          (v === a ? removed : added).add(owner, length, type, a.setTtl(s), v.rdata(r));
        });
      }
      for (let t = b.setsOf(j)[0]; t < b.setsOf(j)[1]; t++) if (a.rrset(i, b.setType(t)) < 0) all(b, j, t, added);
      i++;
      j++;
    }
    if (((i + j) & (NODES_PER_STEP - 1)) === 0) yield;
  }
  return { from: a.soa, to: b.soa, removed: removed.finish(), added: added.finish() };
}

/** Calls `found` for each record of set s of a that set t of b lacks, and the other way round. */
function diffSet(a: ZoneVersion, s: number, b: ZoneVersion, t: number, found: (v: ZoneVersion, record: number) => void): void {
  const [as, ae] = a.recordsOf(s);
  const [bs, be] = b.recordsOf(t);
  if (ae - as === 1 && be - bs === 1) {
    if (!a.rdata(as).equals(b.rdata(bs))) {
      found(a, as);
      found(b, bs);
    }
    return;
  }
  const left = new Map<string, number>();
  for (let r = bs; r < be; r++) left.set(b.rdata(r).toString('latin1'), r);
  for (let r = as; r < ae; r++) {
    const key = a.rdata(r).toString('latin1');
    if (!left.delete(key)) found(a, r);
  }
  for (const r of left.values()) found(b, r);
}

// --- apply

interface Change {
  owner: Name;
  key: Buffer;
  /** The owner's wire form in the case written, when the version keeps it (needsCase). */
  caseWire: Uint8Array | undefined;
  type: number;
  ttl: number;
  rdata: Buffer;
  add: boolean;
}

const keyScratch = new Uint8Array(MAX_KEY);
const wireScratch = new Uint8Array(256);

function changesOf(version: ZoneVersion, cs: Changeset): Change[] {
  const out: Change[] = [];
  const originWire = wireOf(version.origin);
  const collect = (buf: Buffer, add: boolean) => {
    for (const r of changeRecords(buf)) {
      if (!r.owner.isSubdomainOf(version.origin)) throw new ChangesetError(`${r.owner} is outside the zone ${version.origin}`);
      if (r.type === RRType.SOA) throw new ChangesetError('a changeset carries the SOA in from and to, not among its records');
      const key = Buffer.from(keyScratch.subarray(0, relativeKey(r.owner, version.origin.labelCount, keyScratch)));
      const relative = r.owner.labelCount - version.origin.labelCount;
      const wireLength = nameWire(r.owner, wireScratch);
      let end = 0;
      for (let l = 0; l < relative; l++) end += wireScratch[end]! + 1;
      const caseWire = needsCase(wireScratch, end, wireLength, originWire) ? wireScratch.slice(0, wireLength) : undefined;
      out.push({ owner: r.owner, key, caseWire, type: r.type, ttl: r.ttl, rdata: r.rdata, add });
    }
  };
  collect(cs.removed, false);
  collect(cs.added, true);
  // Stable: additions stay after removals, and each in the order given.
  return out.sort((x, y) => compareKeys(x.key, 0, x.key.length, y.key, 0, y.key.length));
}

/** The version `cs` makes of `version`; throws ChangesetError when it does not fit. */
export function apply(version: ZoneVersion, cs: Changeset): ZoneVersion {
  if (serialFrom(cs) !== version.serial) throw new ChangesetError(`the changeset starts at serial ${serialFrom(cs)}, the zone is at ${version.serial}`);
  const changes = changesOf(version, cs);
  const { keys, keyStart, cases, caseStart, data, dataStart, setType } = version.columns;
  // The old version's sizes and what the changeset adds: the columns rarely grow.
  const more = changes.length + 16;
  const w = new VersionWriter(version.origin, {
    nodes: version.nodeCount + more, sets: setType.length + more, records: dataStart.length + more,
    keyBytes: keys.length + more * 16, caseBytes: cases.length + more * 16, dataBytes: data.length + cs.added.length + cs.to.rdata.length,
  });
  let g = 0;
  for (let n = 0; n <= version.nodeCount; n++) {
    // Names that are new come before the existing node that sorts after them.
    while (g < changes.length && (n === version.nodeCount || compareKeys(changes[g]!.key, 0, changes[g]!.key.length, keys, keyStart[n]!, keyStart[n + 1]!) < 0)) {
      const end = groupEnd(changes, g);
      const first = changes[g]!;
      w.node(first.key, 0, first.key.length, first.caseWire);
      mergeNode(version, -1, changes.slice(g, end), w, cs);
      g = end;
    }
    if (n === version.nodeCount) break;
    const cs0 = caseStart[n]!;
    const cs1 = caseStart[n + 1]!;
    w.node(keys, keyStart[n]!, keyStart[n + 1]!, cs1 > cs0 ? cases.subarray(cs0, cs1) : undefined);
    if (g < changes.length && compareKeys(changes[g]!.key, 0, changes[g]!.key.length, keys, keyStart[n]!, keyStart[n + 1]!) === 0) {
      const end = groupEnd(changes, g);
      mergeNode(version, n, changes.slice(g, end), w, cs);
      g = end;
      continue;
    }
    const [s0, s1] = version.setsOf(n);
    for (let s = s0; s < s1; s++) {
      if (n === 0 && version.setType(s) === RRType.SOA) {
        w.set(RRType.SOA, cs.to.ttl);
        w.record(cs.to.rdata);
        continue;
      }
      w.set(version.setType(s), version.setTtl(s));
      const [r0, r1] = version.recordsOf(s);
      for (let r = r0; r < r1; r++) w.record(data, dataStart[r]!, dataStart[r + 1]!);
    }
  }
  return w.finish();
}

function groupEnd(changes: Change[], g: number): number {
  const key = changes[g]!.key;
  let end = g + 1;
  while (end < changes.length && changes[end]!.key.equals(key)) end++;
  return end;
}

/** Writes node n of `version` (-1: a new name) with `changes` made to it. */
function mergeNode(version: ZoneVersion, n: number, changes: Change[], w: VersionWriter, cs: Changeset): void {
  const types: number[] = [];
  if (n >= 0) {
    const [s0, s1] = version.setsOf(n);
    for (let s = s0; s < s1; s++) if (!types.includes(version.setType(s))) types.push(version.setType(s));
  }
  for (const c of changes) if (c.add && !types.includes(c.type)) types.push(c.type);
  for (const type of types) {
    if (n === 0 && type === RRType.SOA) {
      w.set(RRType.SOA, cs.to.ttl);
      w.record(cs.to.rdata);
      continue;
    }
    const set = n >= 0 ? version.rrset(n, type) : -1;
    const records: Buffer[] = [];
    if (set >= 0) {
      const [r0, r1] = version.recordsOf(set);
      for (let r = r0; r < r1; r++) records.push(version.rdata(r));
    }
    let ttl = set >= 0 ? version.setTtl(set) : 0;
    let ttlGiven = false;
    for (const c of changes) {
      if (c.type !== type) continue;
      const at = records.findIndex((r) => r.equals(c.rdata));
      if (!c.add) {
        if (at < 0) throw new ChangesetError(`the record to remove is not there: ${c.owner} ${typeName(type)}`);
        records.splice(at, 1);
        continue;
      }
      if (at >= 0) throw new ChangesetError(`the record to add is there already: ${c.owner} ${typeName(type)}`);
      records.push(c.rdata);
      // An RRset has one TTL: the added records' (RFC 2181 §5.2).
      if (!ttlGiven) ttl = c.ttl;
      ttlGiven = true;
    }
    if (records.length === 0) continue;
    w.set(type, ttl);
    for (const r of records) w.record(r);
  }
}
