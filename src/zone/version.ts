// One immutable version of a zone's contents, packed densely and kept in
// canonical name order (RFC 4034 §6.1), in the manner of Knot DNS's zone
// contents. No object per name or record: owners are keys in one byte heap
// (see canonical.ts), nodes and RRsets are typed-array columns, record data is
// RDATA in uncompressed wire form in one more heap. Every column is its own
// ArrayBuffer, so a version crosses to another thread as a dozen transferred
// buffers and is whole again on arrival, whatever the number of records; or
// its own SharedArrayBuffer (a large zone's loader and its helper both read
// it), and then it is shared rather than moved.
//
// A node is a name that exists: an owner of records or an empty non-terminal
// (RFC 8020) between one and the apex. Node 0 is the apex. A node's RRsets are
// in the order their types were first written (a made-up SOA last at the apex);
// an RRset's records in the order written, then the RRSIGs that cover it (the
// signature slot: a signer's, or a pre-signed file's).
//
// NSEC3 records (RFC 5155) are kept apart, as Knot and BIND keep them: their
// hashed owners are not names of the zone, and a lookup must never meet one. A
// signed version with NSEC3 has a companion version (`nsec3`, same origin): an
// empty apex, then one node per hashed owner in canonical (= hash) order, with
// the NSEC3 RRsets and their signatures.
import { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import { soaSerial } from '../rrtypes/soa.js';
import { compareKeys, keyWire, MAX_KEY, nameOf, relativeKey, wireOf } from './canonical.js';
import { movable } from './columns.js';

export const NodeFlag = {
  APEX: 1,
  /** NS records below the apex: a zone cut. */
  DELEGATION: 2,
  /** Strictly below a cut: never answered from (glue at most). */
  OCCLUDED: 4,
  /** The leftmost label is `*` (RFC 4592). */
  WILDCARD: 8,
  /** No RRsets: exists only because names below it do. */
  EMPTY: 16,
} as const;

/** The columns of a version; N nodes, S RRsets, R records (signatures included). */
export interface VersionColumns {
  /** Node i's key is keys[keyStart[i], keyStart[i + 1]). */
  keys: Uint8Array;
  keyStart: Uint32Array;
  /** Node i's whole wire form (no root octet) in the case written, where that is not its key's labels lowercase and the origin as written (needsCase); else empty. */
  cases: Uint8Array;
  caseStart: Uint32Array;
  flags: Uint8Array;
  /** Node i's RRsets are setStart[i] .. setStart[i + 1]. */
  setStart: Uint32Array;
  setType: Uint16Array;
  setTtl: Uint32Array;
  /** RRset s's records are recStart[s] .. sigStart[s], its signatures sigStart[s] .. recStart[s + 1]. */
  recStart: Uint32Array;
  sigStart: Uint32Array;
  /** Record r's RDATA is data[dataStart[r], dataStart[r + 1]). */
  data: Uint8Array;
  dataStart: Uint32Array;
}

/** What crosses a thread boundary: post `message` with `transfer` as the transfer list. */
export interface VersionHandOver {
  message: { origin: string; columns: VersionColumns; nsec3?: VersionColumns };
  transfer: ArrayBuffer[];
}

/** One record, for iterating a whole version (transfers, exports, diffs of small zones). */
export interface VersionRecord {
  owner: Name;
  type: number;
  ttl: number;
  rdata: Buffer;
}

/** Where a name stands in a version, found in one walk from the apex down. */
export interface Lookup {
  /** The node of the name itself, or -1. */
  node: number;
  /** The closest encloser (RFC 4592 §3.3.1): the name itself when it exists. */
  encloser: number;
  /** The topmost delegation at or above the name, or -1. */
  cut: number;
  /** When the name does not exist: the wildcard child of the closest encloser, or -1. */
  wildcard: number;
}

const keyScratch = new Uint8Array(MAX_KEY);
const wireScratch = new Uint8Array(256);

export class ZoneVersion {
  private recordTotal = -1;
  private readonly originWire: Uint8Array;

  /** @param nsec3 the companion version of the NSEC3 chain, when the zone has one */
  constructor(readonly origin: Name, readonly columns: VersionColumns, readonly nsec3?: ZoneVersion) {
    this.originWire = wireOf(origin);
  }

  get nodeCount(): number {
    return this.columns.flags.length;
  }

  /** Records, signatures excluded, the NSEC3 companion's included. */
  get recordCount(): number {
    if (this.recordTotal < 0) {
      const { recStart, sigStart } = this.columns;
      let n = this.nsec3?.recordCount ?? 0;
      for (let s = 0; s < sigStart.length; s++) n += sigStart[s]! - recStart[s]!;
      this.recordTotal = n;
    }
    return this.recordTotal;
  }

  /** Octets held by the columns (the companion's too). */
  get byteLength(): number {
    let n = this.nsec3?.byteLength ?? 0;
    for (const c of Object.values(this.columns)) n += (c as Uint8Array).byteLength;
    return n;
  }

  /** What describes this version to another thread: the columns themselves (see handOver). */
  message(): VersionHandOver['message'] {
    const message: VersionHandOver['message'] = { origin: this.origin.toString(), columns: this.columns };
    if (this.nsec3) message.nsec3 = this.nsec3.columns;
    return message;
  }

  /**
   * The message and transfer list that move this version (and its companion) to
   * another thread; it is unusable here afterwards. Shared columns are not
   * moved but shared: both threads read the same memory.
   */
  handOver(): VersionHandOver {
    const buffers = (columns: VersionColumns) => movable(Object.values(columns));
    return { message: this.message(), transfer: [...buffers(this.columns), ...(this.nsec3 ? buffers(this.nsec3.columns) : [])] };
  }

  // --- nodes

  flags(node: number): number {
    return this.columns.flags[node]!;
  }

  /** The node's owner, case as first written. */
  ownerName(node: number): Name {
    const end = this.ownerWire(node, wireScratch);
    return nameOf(wireScratch, 0, end, Name.root);
  }

  /** The node's owner in wire form (no root octet), case as written, into `out`; returns the length. */
  ownerWire(node: number, out: Uint8Array): number {
    const { cases, caseStart, keys, keyStart } = this.columns;
    const cs = caseStart[node]!;
    const ce = caseStart[node + 1]!;
    if (ce > cs) {
      out.set(cases.subarray(cs, ce));
      return ce - cs;
    }
    const end = keyWire(keys, keyStart[node]!, keyStart[node + 1]!, out);
    out.set(this.originWire, end);
    return end + this.originWire.length;
  }

  /** The node of the name after `node` in canonical order that has records and is not occluded (NSEC's next name), wrapping to the apex. */
  nextName(node: number): number {
    const { flags } = this.columns;
    for (let n = node + 1; n < flags.length; n++) if ((flags[n]! & (NodeFlag.EMPTY | NodeFlag.OCCLUDED)) === 0) return n;
    return 0;
  }

  // --- lookups

  /** The node of `name` (empty non-terminals included), or -1. */
  find(name: Name): number {
    if (!name.isSubdomainOf(this.origin)) return -1;
    const length = relativeKey(name, this.origin.labelCount, keyScratch);
    return this.search(keyScratch, length);
  }

  /**
   * Walks from the apex to `name` (which must be in the zone): the node, the
   * closest encloser, the topmost cut on the way, and the wildcard that would
   * answer for a name that does not exist.
   */
  lookup(name: Name): Lookup {
    const length = relativeKey(name, this.origin.labelCount, keyScratch);
    const { flags } = this.columns;
    let encloser = 0;
    let cut = -1;
    let node = -1;
    for (let end = 0; end < length;) {
      while (keyScratch[end] !== 0) end += keyScratch[end] === 1 ? 2 : 1;
      end++;
      const n = this.search(keyScratch, end);
      if (n < 0) break;
      encloser = n;
      if (cut < 0 && (flags[n]! & NodeFlag.DELEGATION) !== 0) cut = n;
      if (end === length) node = n;
    }
    if (length === 0) node = 0;
    let wildcard = -1;
    if (node < 0) {
      const { keys, keyStart } = this.columns;
      const start = keyStart[encloser]!;
      const end = keyStart[encloser + 1]!;
      keyScratch.set(keys.subarray(start, end));
      keyScratch[end - start] = 0x2a;
      keyScratch[end - start + 1] = 0;
      wildcard = this.search(keyScratch, end - start + 2);
    }
    return { node, encloser, cut, wildcard };
  }

  /** The topmost delegation at or above `name`, or -1. */
  findCut(name: Name): number {
    if (!name.isSubdomainOf(this.origin)) return -1;
    return this.lookup(name).cut;
  }

  /**
   * The last node at or before `name` (in the zone) in canonical order: the
   * name's own node when it exists, else the one an NSEC (or, in the NSEC3
   * companion, an NSEC3) covering it would be found at or before.
   */
  predecessor(name: Name): number {
    const length = relativeKey(name, this.origin.labelCount, keyScratch);
    const { keys, keyStart } = this.columns;
    let lo = 0;
    let hi = keyStart.length - 2;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(keys, keyStart[mid]!, keyStart[mid + 1]!, keyScratch, 0, length) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Binary search for `key[0, length)` among the nodes. */
  private search(key: Uint8Array, length: number): number {
    const { keys, keyStart } = this.columns;
    let lo = 0;
    let hi = keyStart.length - 2;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(keys, keyStart[mid]!, keyStart[mid + 1]!, key, 0, length);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  // --- RRsets and records

  /** The first RRset of `node` and the one after its last. */
  setsOf(node: number): [number, number] {
    const { setStart } = this.columns;
    return [setStart[node]!, setStart[node + 1]!];
  }

  /** The RRset of `type` at `node`, or -1. */
  rrset(node: number, type: number): number {
    const { setStart, setType } = this.columns;
    for (let s = setStart[node]!, end = setStart[node + 1]!; s < end; s++) if (setType[s] === type) return s;
    return -1;
  }

  setType(set: number): number {
    return this.columns.setType[set]!;
  }

  setTtl(set: number): number {
    return this.columns.setTtl[set]!;
  }

  /** The first record of `set` and the one after its last (signatures apart). */
  recordsOf(set: number): [number, number] {
    return [this.columns.recStart[set]!, this.columns.sigStart[set]!];
  }

  /** The signatures (RRSIG RDATA) covering `set`, in the order written. */
  signaturesOf(set: number): [number, number] {
    return [this.columns.sigStart[set]!, this.columns.recStart[set + 1]!];
  }

  /** A record's RDATA, uncompressed wire form, as a view of the version's heap. */
  rdata(record: number): Buffer {
    const { data, dataStart } = this.columns;
    const start = dataStart[record]!;
    return Buffer.from(data.buffer, data.byteOffset + start, dataStart[record + 1]! - start);
  }

  /** The apex SOA's RRset. */
  get soaSet(): number {
    return this.rrset(0, RRType.SOA);
  }

  get soa(): { ttl: number; rdata: Buffer } {
    const s = this.soaSet;
    return { ttl: this.setTtl(s), rdata: this.rdata(this.columns.recStart[s]!) };
  }

  get serial(): number {
    return soaSerial(this.soa.rdata);
  }

  /**
   * Every record in canonical order of owners, RRsets and records as stored:
   * each RRset's records, then its signatures as RRSIG records (the RRset's
   * TTL); then the NSEC3 companion's records.
   */
  *records(): Iterable<VersionRecord> {
    const { setStart, setType, setTtl, recStart, sigStart } = this.columns;
    for (let n = 0; n < this.nodeCount; n++) {
      if (setStart[n] === setStart[n + 1]) continue;
      const owner = this.ownerName(n);
      for (let s = setStart[n]!; s < setStart[n + 1]!; s++) {
        const ttl = setTtl[s]!;
        for (let r = recStart[s]!; r < sigStart[s]!; r++) yield { owner, type: setType[s]!, ttl, rdata: this.rdata(r) };
        for (let r = sigStart[s]!; r < recStart[s + 1]!; r++) yield { owner, type: RRType.RRSIG, ttl, rdata: this.rdata(r) };
      }
    }
    if (this.nsec3) yield* this.nsec3.records();
  }

  /** A version received from another thread (see handOver). */
  static receive(message: VersionHandOver['message']): ZoneVersion {
    const origin = Name.parse(message.origin);
    return new ZoneVersion(origin, message.columns, message.nsec3 && new ZoneVersion(origin, message.nsec3));
  }
}
