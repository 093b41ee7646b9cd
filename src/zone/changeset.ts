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
  yield* diffTrees(a, b, removed, added);
  // The NSEC3 chains (ZoneVersion.nsec3), either of which may be absent.
  yield* diffTrees(a.nsec3, b.nsec3, removed, added);
  return { from: a.soa, to: b.soa, removed: removed.finish(), added: added.finish() };
}

/** The differences of two trees of versions of one zone, node by node; an absent tree has no nodes. */
function* diffTrees(a: ZoneVersion | undefined, b: ZoneVersion | undefined, removed: RecordList, added: RecordList): Generator<void> {
  const owner = new Uint8Array(256);
  const listOf = (v: ZoneVersion) => (v === a ? removed : added);
  /** Writes `v`'s records [r0, r1) of `type` at `node`, with the TTL of `set`. */
  const put = (v: ZoneVersion, node: number, set: number, type: number, r0: number, r1: number) => {
    const length = v.ownerWire(node, owner);
    for (let r = r0; r < r1; r++) listOf(v).add(owner, length, type, v.setTtl(set), v.rdata(r));
  };
  /** The whole of set s: its records (but for the SOA, which a changeset carries apart), then its signatures. */
  const all = (v: ZoneVersion, node: number, set: number) => {
    const type = v.setType(set);
    if (type !== RRType.SOA) put(v, node, set, type, ...v.recordsOf(set));
    put(v, node, set, RRType.RRSIG, ...v.signaturesOf(set));
  };
  const an = a?.nodeCount ?? 0;
  const bn = b?.nodeCount ?? 0;
  let i = 0;
  let j = 0;
  while (i < an || j < bn) {
    const c = i >= an ? 1 : j >= bn ? -1 : compareKeys(a!.columns.keys, a!.columns.keyStart[i]!, a!.columns.keyStart[i + 1]!, b!.columns.keys, b!.columns.keyStart[j]!, b!.columns.keyStart[j + 1]!);
    if (c < 0) {
      for (let s = a!.setsOf(i)[0]; s < a!.setsOf(i)[1]; s++) all(a!, i, s);
      i++;
    } else if (c > 0) {
      for (let s = b!.setsOf(j)[0]; s < b!.setsOf(j)[1]; s++) all(b!, j, s);
      j++;
    } else {
      const va = a!;
      const vb = b!;
      for (let s = va.setsOf(i)[0]; s < va.setsOf(i)[1]; s++) {
        const type = va.setType(s);
        const t = vb.rrset(j, type);
        if (t < 0 || (va.setTtl(s) !== vb.setTtl(t) && type !== RRType.SOA)) {
          all(va, i, s);
          if (t >= 0) all(vb, j, t);
          continue;
        }
        const found = (rtype: number) => (v: ZoneVersion, r: number) => put(v, v === va ? i : j, v === va ? s : t, rtype, r, r + 1);
        if (type !== RRType.SOA) diffRange(va, va.recordsOf(s), vb, vb.recordsOf(t), found(type));
        // An SOA's TTL travels in the changeset's from and to; its signatures go with the new one's.
        if (type === RRType.SOA && va.setTtl(s) !== vb.setTtl(t)) {
          all(va, i, s);
          all(vb, j, t);
        } else {
          diffRange(va, va.signaturesOf(s), vb, vb.signaturesOf(t), found(RRType.RRSIG));
        }
      }
      for (let t = vb.setsOf(j)[0]; t < vb.setsOf(j)[1]; t++) if (va.rrset(i, vb.setType(t)) < 0) all(vb, j, t);
      i++;
      j++;
    }
    if (((i + j) & (NODES_PER_STEP - 1)) === 0) yield;
  }
}

/** Calls `found` for each record of a[as, ae) that b[bs, be) lacks, and the other way round. */
function diffRange(a: ZoneVersion, [as, ae]: [number, number], b: ZoneVersion, [bs, be]: [number, number], found: (v: ZoneVersion, record: number) => void): void {
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

/** Whether a change belongs to the NSEC3 chain (ZoneVersion.nsec3): an NSEC3 record or a signature of one. */
const inChain = (c: Change): boolean => c.type === RRType.NSEC3 || (c.type === RRType.RRSIG && covered(c.rdata) === RRType.NSEC3);

const covered = (rrsig: Buffer): number => rrsig.readUInt16BE(0);

/** The version `cs` makes of `version`; throws ChangesetError when it does not fit. */
export function apply(version: ZoneVersion, cs: Changeset): ZoneVersion {
  if (serialFrom(cs) !== version.serial) throw new ChangesetError(`the changeset starts at serial ${serialFrom(cs)}, the zone is at ${version.serial}`);
  const changes = changesOf(version, cs);
  const chain = changes.filter(inChain);
  const companion = writerFor(version.origin, version.nsec3, chain.length, 0);
  // The companion's apex has no RRsets: given first, it is written before the first hashed owner (or at finish).
  if (!version.nsec3) companion.node(new Uint8Array(0), 0, 0);
  const nsec3 = mergeTree(version.nsec3, chain, companion, cs).finish();
  const main = mergeTree(version, changes.filter((c) => !inChain(c)), writerFor(version.origin, version, changes.length, cs.added.length + cs.to.rdata.length), cs);
  return main.finish(nsec3.nodeCount > 1 ? nsec3 : undefined);
}

/** A writer of a version of `origin` sized for `version` (absent: empty) and `more` changes of `dataBytes`. */
function writerFor(origin: Name, version: ZoneVersion | undefined, count: number, dataBytes: number): VersionWriter {
  const more = count + 16;
  const c = version?.columns;
  return new VersionWriter(origin, {
    nodes: (version?.nodeCount ?? 0) + more, sets: (c?.setType.length ?? 0) + more, records: (c?.dataStart.length ?? 0) + more,
    keyBytes: (c?.keys.length ?? 0) + more * 16, caseBytes: (c?.cases.length ?? 0) + more * 16, dataBytes: (c?.data.length ?? 0) + dataBytes,
  });
}

/** Writes `version` (absent: no nodes) with `changes` (in key order) made to it into `w`. */
function mergeTree(version: ZoneVersion | undefined, changes: Change[], w: VersionWriter, cs: Changeset): VersionWriter {
  const nodes = version?.nodeCount ?? 0;
  const empty = new Uint8Array(0);
  const { keys, keyStart, cases, caseStart, data, dataStart } = version?.columns ?? { keys: empty, keyStart: new Uint32Array(1), cases: empty, caseStart: new Uint32Array(1), data: empty, dataStart: new Uint32Array(1) };
  let g = 0;
  for (let n = 0; n <= nodes; n++) {
    // Names that are new come before the existing node that sorts after them.
    while (g < changes.length && (n === nodes || compareKeys(changes[g]!.key, 0, changes[g]!.key.length, keys, keyStart[n]!, keyStart[n + 1]!) < 0)) {
      const end = groupEnd(changes, g);
      const first = changes[g]!;
      w.node(first.key, 0, first.key.length, first.caseWire);
      mergeNode(version, -1, changes.slice(g, end), w, cs);
      g = end;
    }
    if (n === nodes) break;
    const v = version!;
    const cs0 = caseStart[n]!;
    const cs1 = caseStart[n + 1]!;
    w.node(keys, keyStart[n]!, keyStart[n + 1]!, cs1 > cs0 ? cases.subarray(cs0, cs1) : undefined);
    if (g < changes.length && compareKeys(changes[g]!.key, 0, changes[g]!.key.length, keys, keyStart[n]!, keyStart[n + 1]!) === 0) {
      const end = groupEnd(changes, g);
      mergeNode(v, n, changes.slice(g, end), w, cs);
      g = end;
      continue;
    }
    const [s0, s1] = v.setsOf(n);
    for (let s = s0; s < s1; s++) {
      if (n === 0 && v.setType(s) === RRType.SOA) {
        w.set(RRType.SOA, cs.to.ttl);
        w.record(cs.to.rdata);
      } else {
        w.set(v.setType(s), v.setTtl(s));
        const [r0, r1] = v.recordsOf(s);
        for (let r = r0; r < r1; r++) w.record(data, dataStart[r]!, dataStart[r + 1]!);
      }
      const [g0, g1] = v.signaturesOf(s);
      if (g1 > g0) w.signatures();
      for (let r = g0; r < g1; r++) w.record(data, dataStart[r]!, dataStart[r + 1]!);
    }
  }
  return w;
}

function groupEnd(changes: Change[], g: number): number {
  const key = changes[g]!.key;
  let end = g + 1;
  while (end < changes.length && changes[end]!.key.equals(key)) end++;
  return end;
}

/** Removes or adds `c` in `records`; throws when the one to remove is not there or the one to add is. */
function change(records: Buffer[], c: Change, what: string): void {
  const at = records.findIndex((r) => r.equals(c.rdata));
  if (!c.add) {
    if (at < 0) throw new ChangesetError(`the record to remove is not there: ${c.owner} ${what}`);
    records.splice(at, 1);
    return;
  }
  if (at >= 0) throw new ChangesetError(`the record to add is there already: ${c.owner} ${what}`);
  records.push(c.rdata);
}

/**
 * Writes node n of `version` (-1: a new name) with `changes` made to it. An
 * RRSIG change goes to the signatures of the RRset it covers; signatures of
 * an RRset that is left without records go with it.
 */
function mergeNode(version: ZoneVersion | undefined, n: number, changes: Change[], w: VersionWriter, cs: Changeset): void {
  const types: number[] = [];
  if (n >= 0) {
    const [s0, s1] = version!.setsOf(n);
    for (let s = s0; s < s1; s++) if (!types.includes(version!.setType(s))) types.push(version!.setType(s));
  }
  for (const c of changes) if (c.add && c.type !== RRType.RRSIG && !types.includes(c.type)) types.push(c.type);
  for (const c of changes) {
    if (c.type === RRType.RRSIG && !c.add && !types.includes(covered(c.rdata))) throw new ChangesetError(`the record to remove is not there: ${c.owner} RRSIG`);
  }
  for (const type of types) {
    const set = n >= 0 ? version!.rrset(n, type) : -1;
    const records: Buffer[] = [];
    const signatures: Buffer[] = [];
    if (set >= 0) {
      const [r0, r1] = version!.recordsOf(set);
      for (let r = r0; r < r1; r++) records.push(version!.rdata(r));
      const [g0, g1] = version!.signaturesOf(set);
      for (let r = g0; r < g1; r++) signatures.push(version!.rdata(r));
    }
    let ttl = set >= 0 ? version!.setTtl(set) : 0;
    let ttlGiven = false;
    for (const c of changes) {
      if (c.type === RRType.RRSIG && covered(c.rdata) === type) change(signatures, c, `RRSIG ${typeName(type)}`);
      if (c.type !== type) continue;
      change(records, c, typeName(type));
      // An RRset has one TTL: the added records' (RFC 2181 §5.2).
      if (c.add && !ttlGiven) ttl = c.ttl;
      if (c.add) ttlGiven = true;
    }
    if (n === 0 && type === RRType.SOA) {
      w.set(RRType.SOA, cs.to.ttl);
      w.record(cs.to.rdata);
    } else {
      if (records.length === 0) continue;
      w.set(type, ttl);
      for (const r of records) w.record(r);
    }
    if (signatures.length > 0) w.signatures();
    for (const r of signatures) w.record(r);
  }
}
