// The zone as served: one immutable ZoneVersion (src/zone/version.ts: canonical
// order, packed columns, no object per record) read through the few questions
// the answer, transfers and reports ask of it. An RRset object is made the
// first time a set is asked for and kept while the zone lives, so that the
// rotation stage and the answer memo, which know an RRset by its identity,
// see the same one every time; a zone never asked about holds none. Never
// mutated after load (but for the serial of a zone whose serial is automatic,
// set once before it is served), so a reload swaps whole Zone objects.
import type { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { SourcePos } from './records.js';
import { setSoaSerial, soaSerial } from '../rrtypes/soa.js';
import type { Changeset } from './changeset.js';
import { versionDigest } from './digest.js';
import type { RecordPositions } from './records.js';
import { NodeFlag, type Lookup, type ZoneVersion } from './version.js';

export interface RRset {
  owner: Name;
  type: number;
  ttl: number;
  /** Each record's data in uncompressed wire form. */
  rdata: Buffer[];
  /** The RRSIG records (RDATA) that cover the set, in the order written: none in an unsigned zone. */
  signatures: readonly Buffer[];
  /** Where the first record of the set was written. */
  pos: SourcePos;
}

/** One record, as transfers list them. */
export interface ZoneRecord {
  owner: Name;
  type: number;
  ttl: number;
  rdata: Buffer;
}

export class Zone {
  readonly origin: Name;
  /** The RRsets made so far, by set index. */
  private readonly made = new Map<number, RRset>();
  /** The NSEC3 RRsets made so far, by set index in the companion version. */
  private readonly madeNsec3 = new Map<number, RRset>();
  /** The signatures at a node as RRSIG sets (signaturesAt), by node. */
  private readonly madeSignatures = new Map<number, RRset[]>();

  /**
   * @param positions where each record was written (rotor convert's and the reload's warnings name them)
   * @param written the nodes with records, the apex first, then in the order their names were first written
   */
  constructor(
    readonly version: ZoneVersion,
    readonly file: string,
    readonly positions: RecordPositions,
    private readonly written: Uint32Array,
  ) {
    this.origin = version.origin;
  }

  get recordCount(): number {
    return this.version.recordCount;
  }

  get soa(): RRset {
    return this.set(0, this.version.soaSet);
  }

  /** The digest, when the thread that built the zone computed it (see transport.ts). */
  knownDigest(digest: string): void {
    this.contentDigest = digest;
  }

  /** The differences that led to this version, oldest first, newest ending at this serial. */
  changes: readonly Changeset[] = [];
  /** The serial was not written in the file (`serial: auto`, or no SOA): the server picks it. */
  autoSerial = false;
  private contentDigest: string | undefined;

  get serial(): number {
    return soaSerial(this.soa.rdata[0]!);
  }

  set serial(value: number) {
    setSoaSerial(this.soa.rdata[0]!, value);
  }

  /**
   * A hash of every record but the SOA serial, in file order: tells whether an
   * edit changed the content. Computed when first asked, on reload only.
   */
  get digest(): string {
    this.contentDigest ??= versionDigest(this.version, this.written);
    return this.contentDigest;
  }

  /** Where `name` stands: its node, closest encloser, the cut above it, the wildcard that would answer for it. */
  lookup(name: Name): Lookup {
    return this.version.lookup(name);
  }

  /** The node of `name` when it has data, or -1 (an empty non-terminal has none). */
  node(name: Name): number {
    const n = this.version.find(name);
    return n >= 0 && (this.version.flags(n) & NodeFlag.EMPTY) === 0 ? n : -1;
  }

  /** The RRset of `type` at `node`. */
  rrset(node: number, type: number): RRset | undefined {
    const s = this.version.rrset(node, type);
    return s < 0 ? undefined : this.set(node, s);
  }

  /** The RRset of `type` at `name`. */
  get(name: Name, type: number): RRset | undefined {
    const n = this.node(name);
    return n < 0 ? undefined : this.rrset(n, type);
  }

  /** The RRsets at `node`, in the order their types were first written. */
  rrsetsAt(node: number): RRset[] {
    const [s0, s1] = this.version.setsOf(node);
    const out: RRset[] = [];
    for (let s = s0; s < s1; s++) out.push(this.set(node, s));
    return out;
  }

  ownerName(node: number): Name {
    return this.version.ownerName(node);
  }

  /** The topmost delegation point at or above `name` (never the apex), or -1. */
  findCut(name: Name): number {
    return this.version.findCut(name);
  }

  /**
   * Every RRset, apex first, in the order owners were first written. Those not
   * made yet are made for the caller and not kept: a transfer, an export or
   * a diff of a large zone leaves nothing behind.
   */
  *rrsets(): Iterable<RRset> {
    for (const n of this.written) {
      const [s0, s1] = this.version.setsOf(n);
      for (let s = s0; s < s1; s++) yield this.made.get(s) ?? this.make(n, s);
    }
  }

  /** The RRsets of `type`, in the order their owners were first written (made and kept, as answers make them). */
  *rrsetsOfType(type: number): Iterable<RRset> {
    // Asked of every zone as it is loaded (ALIAS): one pass over a column answers "none" for most.
    if (!this.version.columns.setType.includes(type)) return;
    for (const n of this.written) {
      const s = this.version.rrset(n, type);
      if (s >= 0) yield this.set(n, s);
    }
  }

  /**
   * What a transfer or an export writes: every RRset as rrsets() gives them,
   * each followed by its signatures as an RRSIG set, then the NSEC3 chain's
   * RRsets and their signatures. Made for the caller and not kept.
   */
  *recordSets(): Iterable<RRset> {
    for (const set of this.rrsets()) {
      yield set;
      if (set.signatures.length > 0) yield signatureSet(set);
    }
    const chain = this.version.nsec3;
    if (!chain) return;
    for (let n = 1; n < chain.nodeCount; n++) {
      const [s0, s1] = chain.setsOf(n);
      for (let s = s0; s < s1; s++) {
        const set = this.madeNsec3.get(s) ?? this.make(n, s, chain);
        yield set;
        if (set.signatures.length > 0) yield signatureSet(set);
      }
    }
  }

  /** Every record, the SOA first, in the base order (never rotated), signatures and the NSEC3 chain included (see recordSets). */
  *records(): Iterable<ZoneRecord> {
    for (const set of this.recordSets()) {
      for (const rdata of set.rdata) yield { owner: set.owner, type: set.type, ttl: set.ttl, rdata };
    }
  }

  /**
   * The signatures at `node` as RRsets of type RRSIG, one per RRset signed (its
   * TTL), made the first time and kept: what an RRSIG question is answered with.
   */
  signaturesAt(node: number): RRset[] {
    let sets = this.madeSignatures.get(node);
    if (!sets) {
      sets = [];
      const [s0, s1] = this.version.setsOf(node);
      for (let s = s0; s < s1; s++) {
        const set = this.set(node, s);
        if (set.signatures.length > 0) sets.push(signatureSet(set));
      }
      this.madeSignatures.set(node, sets);
    }
    return sets;
  }

  /** The NSEC3 RRset whose hashed owner is `name`, if the zone's NSEC3 chain has one. */
  nsec3At(name: Name): RRset | undefined {
    const n = this.version.nsec3?.find(name) ?? -1;
    return n > 0 ? this.nsec3Set(n) : undefined;
  }

  /** The NSEC3 RRset at `node` of the companion version (ZoneVersion.nsec3), made the first time and kept. */
  nsec3Set(node: number): RRset | undefined {
    const chain = this.version.nsec3;
    const s = chain ? chain.rrset(node, RRType.NSEC3) : -1;
    if (s < 0) return undefined;
    let set = this.madeNsec3.get(s);
    if (!set) this.madeNsec3.set(s, (set = this.make(node, s, chain)));
    return set;
  }

  get soaRecord(): ZoneRecord {
    const soa = this.soa;
    return { owner: soa.owner, type: soa.type, ttl: soa.ttl, rdata: soa.rdata[0]! };
  }

  /** RRset `s` (at `node`), made the first time and kept. */
  private set(node: number, s: number): RRset {
    let set = this.made.get(s);
    if (!set) this.made.set(s, (set = this.make(node, s)));
    return set;
  }

  /** RRset `s` at `node` of `version` (this zone's, or its NSEC3 companion, whose records' positions follow the main tree's). */
  private make(node: number, s: number, version: ZoneVersion = this.version): RRset {
    const [r0, r1] = version.recordsOf(s);
    const rdata: Buffer[] = [];
    for (let r = r0; r < r1; r++) rdata.push(version.rdata(r));
    const [g0, g1] = version.signaturesOf(s);
    const signatures: Buffer[] = [];
    for (let r = g0; r < g1; r++) signatures.push(version.rdata(r));
    const offset = version === this.version ? 0 : this.version.columns.dataStart.length - 1;
    return { owner: version.ownerName(node), type: version.setType(s), ttl: version.setTtl(s), rdata, signatures, pos: this.positions.at(offset + r0) };
  }
}

/** The signatures of `set` as an RRset of type RRSIG (the set's owner and TTL). */
function signatureSet(set: RRset): RRset {
  return { owner: set.owner, type: RRType.RRSIG, ttl: set.ttl, rdata: [...set.signatures], signatures: [], pos: set.pos };
}

/** RFC 1982 serial number arithmetic: is `a` later than `b`? */
export function serialGreater(a: number, b: number): boolean {
  return a !== b && ((a - b) >>> 0) < 0x80000000;
}
