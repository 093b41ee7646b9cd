// The in-memory zone: RRsets grouped by owner, the set of names that exist
// (including empty non-terminals) and the delegation points. Built once per load
// from the records a loader produced; never mutated afterwards (the rotation
// counters live in the rotation stage), so a reload swaps whole Zone objects.
import { createHash } from 'node:crypto';
import { Name } from '../wire/name.js';
import { RRType, typeName } from '../wire/types.js';
import type { Diagnostic } from './errors.js';
import { ZoneLoadError } from './errors.js';
import type { ParsedRecord, SourcePos } from './records.js';
import { targetOf } from '../rrtypes/registry.js';
import { setSoaSerial, soaData, soaSerial, withSoaSerial } from '../rrtypes/soa.js';
import { checkZone } from './check.js';

export interface RRset {
  owner: Name;
  type: number;
  ttl: number;
  /** Each record's data in uncompressed wire form. */
  rdata: Buffer[];
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

/** What one reload changed (RFC 1995's difference sequence), for IXFR. */
export interface ZoneChange {
  from: ZoneRecord;
  to: ZoneRecord;
  /** The records that went and came, in wire form (src/transfer/journal.ts). */
  deleted: Buffer;
  added: Buffer;
}

export interface ZoneNode {
  name: Name;
  rrsets: Map<number, RRset>;
}

export interface SoaDefaults {
  /** Serial for a synthesized SOA. */
  serial: number;
  ttl: number;
}

export class Zone {
  readonly nodes = new Map<string, ZoneNode>();
  /** Keys of every name that exists: owners and the empty non-terminals between them and the apex. */
  readonly names = new Set<string>();
  /** Keys of delegation points: owners of NS records below the apex. */
  readonly cuts = new Set<string>();
  recordCount = 0;

  constructor(readonly origin: Name, readonly file: string) {}

  get apex(): ZoneNode {
    return this.nodes.get(this.origin.key)!;
  }

  get soa(): RRset {
    return this.apex.rrsets.get(RRType.SOA)!;
  }

  /** The digest, when the thread that built the zone computed it (see transport.ts). */
  knownDigest(digest: string): void {
    this.contentDigest = digest;
  }

  /** The differences that led to this version, oldest first, newest ending at this serial. */
  changes: readonly ZoneChange[] = [];
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
    if (this.contentDigest === undefined) {
      const hash = createHash('sha256');
      for (const set of this.rrsets()) {
        for (const rd of set.rdata) {
          hash.update(`${set.owner.key} ${set.type} ${set.ttl} `);
          hash.update(set.type === RRType.SOA ? withSoaSerial(rd, 0) : rd);
          hash.update('\n');
        }
      }
      this.contentDigest = hash.digest('hex');
    }
    return this.contentDigest;
  }

  /** The topmost delegation point at or above `name` (never the apex), if any. */
  findCut(name: Name): ZoneNode | undefined {
    if (this.cuts.size === 0) return undefined;
    const depth = name.labelCount - this.origin.labelCount;
    for (let i = depth - 1; i >= 0; i--) {
      const key = name.suffixKey(i);
      if (this.cuts.has(key)) return this.nodes.get(key);
    }
    return undefined;
  }

  /** Every RRset, apex first, in the order owners were first written. */
  *rrsets(): Iterable<RRset> {
    for (const node of this.nodes.values()) yield* node.rrsets.values();
  }

  /** Every record, the SOA first, in the base order (never rotated). */
  *records(): Iterable<ZoneRecord> {
    for (const set of this.rrsets()) {
      for (const rdata of set.rdata) yield { owner: set.owner, type: set.type, ttl: set.ttl, rdata };
    }
  }

  get soaRecord(): ZoneRecord {
    const soa = this.soa;
    return { owner: soa.owner, type: soa.type, ttl: soa.ttl, rdata: soa.rdata[0]! };
  }
}

/** RFC 1982 serial number arithmetic: is `a` later than `b`? */
export function serialGreater(a: number, b: number): boolean {
  return a !== b && ((a - b) >>> 0) < 0x80000000;
}

/**
 * Groups records into RRsets and checks the rules that make a zone unservable
 * (errors) or suspicious (warnings). Throws ZoneLoadError when there are errors.
 */
export function buildZone(origin: Name, file: string, records: ParsedRecord[], soaDefaults: SoaDefaults): { zone: Zone; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const error = (pos: SourcePos, message: string) => diagnostics.push({ pos, severity: 'error', message });
  const warn = (pos: SourcePos, message: string) => diagnostics.push({ pos, severity: 'warning', message });
  const zone = new Zone(origin, file);
  // The data of the records of each RRset that has more than one, for finding
  // duplicates, and where each of them was written, for the checks at the end.
  // Most RRsets hold one record: they need neither, and a large zone is loaded
  // without a Set and an array for each of its records.
  const wireOf = new Map<RRset, Set<string>>();
  const positions = new Map<RRset, SourcePos[]>();

  for (const rec of records) {
    if (!rec.owner.isSubdomainOf(origin)) {
      error(rec.pos, `owner ${rec.owner} is outside the zone ${origin}`);
      continue;
    }
    if (rec.type === RRType.SOA && !rec.owner.equals(origin)) {
      error(rec.pos, `SOA record at ${rec.owner}: only the apex of ${origin} may have one`);
      continue;
    }
    let node = zone.nodes.get(rec.owner.key);
    if (!node) {
      node = { name: rec.owner, rrsets: new Map() };
      zone.nodes.set(rec.owner.key, node);
    }
    let set = node.rrsets.get(rec.type);
    if (!set) {
      set = { owner: rec.owner, type: rec.type, ttl: rec.ttl, rdata: [rec.rdata], pos: rec.pos };
      node.rrsets.set(rec.type, set);
      zone.recordCount++;
      continue;
    }
    let seen = wireOf.get(set);
    if (!seen) {
      seen = new Set([set.rdata[0]!.toString('hex')]);
      wireOf.set(set, seen);
    }
    const wire = rec.rdata.toString('hex');
    if (seen.has(wire)) {
      warn(rec.pos, `duplicate ${typeName(rec.type)} record at ${rec.owner}: ignored`);
      continue;
    }
    seen.add(wire);
    if (rec.ttl !== set.ttl) {
      // RFC 2181 §5.2: such a set is treated as having its lowest TTL, as Knot answers it (BIND keeps the first).
      const lowest = Math.min(rec.ttl, set.ttl);
      warn(rec.pos, `TTL ${rec.ttl} differs from ${set.ttl} of the other ${typeName(rec.type)} records at ${rec.owner}: ${lowest} is used`);
      set.ttl = lowest;
    }
    if (rec.type === RRType.SOA && set.rdata.length > 0) {
      error(rec.pos, `more than one SOA record at ${origin}`);
      continue;
    }
    if ((rec.type === RRType.CNAME || rec.type === RRType.ALIAS) && set.rdata.length > 0) {
      error(rec.pos, `more than one ${typeName(rec.type)} record at ${rec.owner}`);
      continue;
    }
    set.rdata.push(rec.rdata);
    let at = positions.get(set);
    if (!at) positions.set(set, (at = [set.pos]));
    at.push(rec.pos);
    zone.recordCount++;
  }

  for (const node of zone.nodes.values()) {
    const cname = node.rrsets.get(RRType.CNAME);
    if (cname && node.rrsets.size > 1) {
      const other = [...node.rrsets.values()].find((s) => s.type !== RRType.CNAME)!;
      const later = other.pos.line > cname.pos.line || (other.pos.line === cname.pos.line && other.pos.col > cname.pos.col) ? other : cname;
      error(later.pos, `CNAME at ${node.name} beside other data (${[...node.rrsets.keys()].filter((t) => t !== RRType.CNAME).map(typeName).join(', ')}): a CNAME must be alone at its name`);
    }
    const alias = node.rrsets.get(RRType.ALIAS);
    if (alias && (node.rrsets.has(RRType.A) || node.rrsets.has(RRType.AAAA))) {
      // Which addresses would an A question get? octoDNS refuses it too ("cannot coexist with A or AAAA records").
      error(alias.pos, `ALIAS at ${node.name} beside A or AAAA records: the ALIAS gives the name its addresses`);
    }
    if (!node.name.equals(origin) && node.rrsets.has(RRType.NS)) zone.cuts.add(node.name.key);
  }

  let apex = zone.nodes.get(origin.key);
  if (!apex) {
    apex = { name: origin, rrsets: new Map() };
    zone.nodes.set(origin.key, apex);
  }
  if (apex.rrsets.has(RRType.CNAME)) error(apex.rrsets.get(RRType.CNAME)!.pos, `CNAME at the zone apex ${origin}`);
  const apexPos: SourcePos = { file, line: 1, col: 1 };
  if (!apex.rrsets.has(RRType.NS)) warn(apexPos, `no NS records at the apex of ${origin}`);
  if (!apex.rrsets.has(RRType.SOA)) {
    const firstNs = apex.rrsets.get(RRType.NS)?.rdata[0];
    const mname = firstNs ? targetOf(RRType.NS, firstNs)! : origin;
    const soa = soaData(mname, origin.prepend('hostmaster'), soaDefaults.serial >>> 0, 3600, 600, 1209600, 300);
    apex.rrsets.set(RRType.SOA, { owner: origin, type: RRType.SOA, ttl: soaDefaults.ttl, rdata: [soa], pos: apexPos });
    zone.recordCount++;
  }
  // Keep the apex first so that transfers and exports start with it.
  if (zone.nodes.keys().next().value !== origin.key) {
    const rest = [...zone.nodes.entries()].filter(([k]) => k !== origin.key);
    zone.nodes.clear();
    zone.nodes.set(origin.key, apex);
    for (const [k, v] of rest) zone.nodes.set(k, v);
  }

  // Suffix keys rather than parent() Names: no Name is made for each ancestor.
  const depthOfApex = origin.labelCount;
  for (const node of zone.nodes.values()) {
    const name = node.name;
    for (let i = 0; i <= name.labelCount - depthOfApex; i++) {
      const key = name.suffixKey(i);
      if (zone.names.has(key)) break;
      zone.names.add(key);
    }
  }

  if (diagnostics.some((d) => d.severity === 'error')) throw new ZoneLoadError(diagnostics);
  diagnostics.push(...checkZone(zone, (set, i) => positions.get(set)?.[i] ?? set.pos));
  return { zone, diagnostics };
}
