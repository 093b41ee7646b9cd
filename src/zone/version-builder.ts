// Builds a ZoneVersion from a stream of records, applying the rules that make a
// zone unservable (errors) or suspicious (warnings), as buildZone did for the
// Map-based zone it replaced. Nothing is kept per record but a few numbers in columns: the
// records are staged in arrival order, owners are sorted once by their
// canonical keys, records are bucketed by owner in one counting pass, and the
// version is written node by node. Diagnostics come out in the order of the
// records that caused them, then check.ts's warnings. Where each record was written is kept beside the
// version (RecordPositions), for the checks and nothing else.
import { Name } from '../wire/name.js';
import { RRType, typeName } from '../wire/types.js';
import { targetOf } from '../rrtypes/registry.js';
import { setSoaSerial, soaData } from '../rrtypes/soa.js';
import { compareKeys, keyWire, MAX_KEY, nameOf, nameWire, needsCase, wireKey, wireOf } from './canonical.js';
import { bytes, typed, u16s, u32s, type Column } from './columns.js';
import type { Diagnostic } from './errors.js';
import { ZoneLoadError } from './errors.js';
import { RecordPositions, type SourcePos } from './records.js';
import type { ZoneVersion } from './version.js';
import { VersionWriter } from './version-writer.js';
import { checkVersion } from './version-check.js';

/** One record as a loader gives it: RDATA in uncompressed wire form. */
export interface BuildRecord {
  owner: Name;
  type: number;
  ttl: number;
  rdata: Uint8Array;
}

export interface SoaDefaults {
  /** Serial for a synthesized SOA. */
  serial: number;
  ttl: number;
}


export interface Built {
  version: ZoneVersion;
  diagnostics: Diagnostic[];
  positions: RecordPositions;
  /** The nodes with records, the apex first, then in the order their names were first written. */
  written: Uint32Array;
}

/**
 * The records a builder was given, as its columns hold them: what another
 * thread's builder hands over (transferable arrays and a few strings), to be
 * appended to this one's (see VersionBuilder.append).
 */
export interface StagedRecords {
  keys: Uint8Array;
  /** Where each owner's key starts in `keys`, and where the last one ends. */
  keyStart: Uint32Array;
  cases: Uint8Array;
  caseStart: Uint32Array;
  /** The first and last owner, as Name.toString() writes them ('' when none). */
  firstOwner: string;
  lastOwner: string;
  stage: Uint32Array;
  type: Uint16Array;
  ttl: Uint32Array;
  data: Uint8Array;
  dataStart: Uint32Array;
  files: string[];
  file: Uint16Array;
  line: Uint32Array;
  col: Uint32Array;
  found: { at: number; d: Diagnostic }[];
  /** The owners in canonical order, when sortOwners was called after the last one was added. */
  order: Uint32Array | undefined;
}

/** An RRset with more records than this finds duplicates through a Set rather than by comparing with each. */
const LINEAR_DUPLICATES = 8;

const wire = new Uint8Array(256);

/** A node of the builder that the version does not have (see finish). */
const NO_NODE = 0xffffffff;
/** A signature already written (see signatures). */
const USED = -1;

/** The "type covered" of the RRSIG whose RDATA starts at data[at]. */
const covered = (data: Uint8Array, at: number): number => (data[at]! << 8) | data[at + 1]!;

export class VersionBuilder {
  private readonly originLabels: number;
  private readonly originWire: Uint8Array;
  // Owners, one entry per run of records with the same owner.
  private readonly stageKeys: Column<Uint8Array>;
  private readonly stageKeyStart: Column<Uint32Array>;
  private readonly stageCases = bytes();
  private readonly stageCaseStart: Column<Uint32Array>;
  private lastOwner: Name | undefined;
  private lastOwnerText = '';
  private firstOwnerText = '';
  /** The owners so far in canonical order (sortOwners); dropped when another is added. */
  private sorted: Uint32Array | undefined;
  // Records, in arrival order.
  private readonly recStage: Column<Uint32Array>;
  private readonly recType: Column<Uint16Array>;
  private readonly recTtl: Column<Uint32Array>;
  private readonly data: Column<Uint8Array>;
  private readonly dataStart: Column<Uint32Array>;
  private readonly posFile: Column<Uint16Array>;
  private readonly posLine: Column<Uint32Array>;
  private readonly posCol: Column<Uint32Array>;
  private readonly files: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  /** Diagnostics with the index of the staged record they come before or belong to. */
  private readonly found: { at: number; d: Diagnostic }[] = [];

  /** `expected`: about how many records will come, when the caller knows (the columns then rarely grow). */
  constructor(private readonly origin: Name, private readonly file: string, private readonly soaDefaults: SoaDefaults, expected = 1024) {
    this.originLabels = origin.labelCount;
    this.originWire = wireOf(origin);
    this.stageKeys = bytes(expected * 8);
    this.stageKeyStart = u32s(expected + 1);
    this.stageCaseStart = u32s(expected + 1);
    this.recStage = u32s(expected);
    this.recType = u16s(expected);
    this.recTtl = u32s(expected);
    this.data = bytes(expected * 16);
    this.dataStart = u32s(expected + 1);
    this.posFile = u16s(expected);
    this.posLine = u32s(expected);
    this.posCol = u32s(expected);
    this.stageKeyStart.push(0);
    this.stageCaseStart.push(0);
    this.dataStart.push(0);
  }

  add(rec: BuildRecord, pos: SourcePos): void {
    const at = this.recType.length;
    if (!rec.owner.isSubdomainOf(this.origin)) {
      this.found.push({ at, d: { pos, severity: 'error', message: `owner ${rec.owner} is outside the zone ${this.origin}` } });
      return;
    }
    if (rec.type === RRType.SOA && !rec.owner.equals(this.origin)) {
      this.found.push({ at, d: { pos, severity: 'error', message: `SOA record at ${rec.owner}: only the apex of ${this.origin} may have one` } });
      return;
    }
    if (rec.owner !== this.lastOwner && rec.owner.toString() !== this.lastOwnerText) this.stage(rec.owner);
    this.lastOwner = rec.owner;
    this.recStage.push(this.stageKeyStart.length - 2);
    this.recType.push(rec.type);
    this.recTtl.push(rec.ttl);
    this.data.append(rec.rdata, 0, rec.rdata.length);
    this.dataStart.push(this.data.length);
    let f = this.fileIndex.get(pos.file);
    if (f === undefined) {
      f = this.files.push(pos.file) - 1;
      this.fileIndex.set(pos.file, f);
    }
    this.posFile.push(f);
    this.posLine.push(pos.line);
    this.posCol.push(pos.col);
  }

  private stage(owner: Name): void {
    this.sorted = undefined;
    this.lastOwnerText = owner.toString();
    if (this.stageKeyStart.length === 1) this.firstOwnerText = this.lastOwnerText;
    const length = nameWire(owner, wire);
    const labels = owner.labelCount - this.originLabels;
    let end = 0;
    for (let l = 0; l < labels; l++) end += wire[end]! + 1;
    this.stageKeys.reserve(MAX_KEY);
    this.stageKeys.length = wireKey(wire, length, labels, this.stageKeys.data, this.stageKeys.length);
    this.stageKeyStart.push(this.stageKeys.length);
    if (needsCase(wire, end, length, this.originWire)) this.stageCases.append(wire, 0, length);
    this.stageCaseStart.push(this.stageCases.length);
  }

  /** The records added so far, to append to another builder's (see append); this builder is not used after. */
  staged(): StagedRecords {
    const at = <T extends Uint8Array | Uint16Array | Uint32Array>(c: Column<T>) => c.data.subarray(0, c.length) as T;
    return {
      keys: at(this.stageKeys), keyStart: at(this.stageKeyStart), cases: at(this.stageCases), caseStart: at(this.stageCaseStart),
      firstOwner: this.firstOwnerText, lastOwner: this.lastOwnerText,
      stage: at(this.recStage), type: at(this.recType), ttl: at(this.recTtl), data: at(this.data), dataStart: at(this.dataStart),
      files: this.files, file: at(this.posFile), line: at(this.posLine), col: at(this.posCol), found: this.found,
      order: this.sorted,
    };
  }

  /** Owner `a`'s key against owner `b`'s, and the earlier added first among equal ones. */
  private compareOwners(a: number, b: number): number {
    const keys = this.stageKeys.data;
    const ks = this.stageKeyStart.data;
    return compareKeys(keys, ks[a]!, ks[a + 1]!, keys, ks[b]!, ks[b + 1]!) || a - b;
  }

  /**
   * Sorts the owners added so far into canonical order, work that write()
   * then skips: a loader does it while it waits for another thread's part,
   * which comes sorted too (see append).
   */
  sortOwners(): void {
    this.sorted = this.sortedOwners(this.stageKeyStart.length - 1);
  }

  /** Owners 0 to count - 1 in canonical order. */
  private sortedOwners(count: number): Uint32Array {
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    return order.sort((a, b) => this.compareOwners(a, b));
  }

  /**
   * Adds `s`'s records after those added so far, as if they had been added here
   * one by one: its first owner joins the last owner here when add() would have joined them.
   */
  append(s: StagedRecords): void {
    const records = this.recType.length;
    const stages = s.keyStart.length - 1;
    // add() starts no new owner for a record whose owner is written as the last one was.
    const skip = stages > 0 && s.firstOwner === this.lastOwnerText ? 1 : 0;
    const stageBase = this.stageKeyStart.length - 1 - skip;
    this.stageKeyStart.appendShifted(s.keyStart, skip + 1, stages + 1, this.stageKeys.length - s.keyStart[skip]!);
    this.stageKeys.append(s.keys, s.keyStart[skip]!, s.keys.length);
    this.stageCaseStart.appendShifted(s.caseStart, skip + 1, stages + 1, this.stageCases.length - s.caseStart[skip]!);
    this.stageCases.append(s.cases, s.caseStart[skip]!, s.cases.length);
    const count = s.type.length;
    this.recStage.appendShifted(s.stage, 0, count, stageBase);
    this.recType.appendAll(s.type);
    this.recTtl.appendAll(s.ttl);
    this.dataStart.appendShifted(s.dataStart, 1, count + 1, this.data.length);
    this.data.append(s.data, 0, s.data.length);
    const fileOf = s.files.map((f) => {
      let i = this.fileIndex.get(f);
      if (i === undefined) this.fileIndex.set(f, (i = this.files.push(f) - 1));
      return i;
    });
    // One file, as a part of a file has: the same index.
    if (fileOf.every((f, i) => f === i)) this.posFile.appendAll(s.file);
    else for (let r = 0; r < count; r++) this.posFile.push(fileOf[s.file[r]!]!);
    this.posLine.appendAll(s.line);
    this.posCol.appendAll(s.col);
    for (const f of s.found) this.found.push({ at: f.at + records, d: f.d });
    const mine = this.sorted;
    this.sorted = undefined;
    if (stages > 0) {
      if (stageBase + skip === 0) this.firstOwnerText = s.firstOwner;
      this.lastOwnerText = s.lastOwner;
      this.lastOwner = undefined;
    }
    if (mine && s.order) this.sorted = this.merged(mine, s.order, stageBase, skip);
  }

  /** Two canonical orders as one: `b`'s owners numbered from `base` on, its owner 0 left out when `skip` (it joined this builder's last). */
  private merged(a: Uint32Array, b: Uint32Array, base: number, skip: number): Uint32Array {
    const out = new Uint32Array(a.length + b.length - skip);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < a.length || j < b.length) {
      if (j < b.length && b[j]! < skip) {
        j++;
        continue;
      }
      const fromA = j >= b.length || (i < a.length && this.compareOwners(a[i]!, b[j]! + base) < 0);
      out[o++] = fromA ? a[i++]! : b[j++]! + base;
    }
    return out;
  }

  /** The owner of a stage, case as written. */
  private stageName(stage: number): Name {
    const cs = this.stageCaseStart.data[stage]!;
    const ce = this.stageCaseStart.data[stage + 1]!;
    if (ce > cs) return nameOf(this.stageCases.data, cs, ce, Name.root);
    const end = keyWire(this.stageKeys.data, this.stageKeyStart.data[stage]!, this.stageKeyStart.data[stage + 1]!, wire);
    return nameOf(wire, 0, end, this.origin);
  }

  private pos(record: number): SourcePos {
    return { file: this.files[this.posFile.data[record]!]!, line: this.posLine.data[record]!, col: this.posCol.data[record]! };
  }

  private rdataEquals(a: number, b: number): boolean {
    const d = this.data.data;
    const s = this.dataStart.data;
    return compareKeys(d, s[a]!, s[a + 1]!, d, s[b]!, s[b + 1]!) === 0;
  }

  private rdataText(r: number): string {
    return Buffer.from(this.data.data.buffer, this.dataStart.data[r]!, this.dataStart.data[r + 1]! - this.dataStart.data[r]!).toString('latin1');
  }

  /** Sets the serial of every SOA record added so far (a YAML SOA's `serial: auto`, known once its whole file is read). */
  setSoaSerials(serial: number): void {
    const ds = this.dataStart.data;
    for (let r = 0; r < this.recType.length; r++) {
      if (this.recType.data[r] === RRType.SOA) setSoaSerial(Buffer.from(this.data.data.buffer, this.data.data.byteOffset + ds[r]!, ds[r + 1]! - ds[r]!), serial);
    }
  }

  /** Sorts, writes and checks the version; throws ZoneLoadError when there are errors. */
  finish(): Built {
    const built = this.write();
    built.diagnostics.push(...checkVersion(built.version, built.positions, built.written));
    return built;
  }

  /**
   * Sorts and writes the version, its diagnostics those of the records and
   * names but not yet check.ts's warnings (see finish: a loader with a helper
   * thread runs those in two parts). Throws ZoneLoadError when there are
   * errors. `shared`: the version's columns are SharedArrayBuffers.
   */
  write(shared = false): Built {
    // The apex always has a node, for the SOA synthesized when none was written.
    this.stageKeyStart.push(this.stageKeys.length);
    this.stageCaseStart.push(this.stageCases.length);
    const stages = this.stageKeyStart.length - 1;
    const keys = this.stageKeys.data;
    const ks = this.stageKeyStart.data;
    const order = this.ownerOrder(stages);

    // Nodes: runs of equal keys; each represented by its first stage, which came first in the input.
    const nodeOfStage = new Uint32Array(stages);
    const nodeStage = u32s();
    for (let i = 0; i < stages; i++) {
      const s = order[i]!;
      const prev = i > 0 ? order[i - 1]! : -1;
      if (prev < 0 || compareKeys(keys, ks[prev]!, ks[prev + 1]!, keys, ks[s]!, ks[s + 1]!) !== 0) nodeStage.push(s);
      nodeOfStage[s] = nodeStage.length - 1;
    }
    const nodes = nodeStage.length;

    // Records bucketed by node, in arrival order within each.
    const records = this.recType.length;
    const first = new Uint32Array(nodes + 1);
    for (let r = 0; r < records; r++) first[nodeOfStage[this.recStage.data[r]!]! + 1]!++;
    for (let n = 0; n < nodes; n++) first[n + 1]! += first[n]!;
    const byNode = new Uint32Array(records);
    const fill = first.slice(0, nodes);
    for (let r = 0; r < records; r++) byNode[fill[nodeOfStage[this.recStage.data[r]!]!]!++] = r;

    // Sizes as known now: duplicates and errors make them smaller, empty non-terminals and a synthesized SOA larger.
    const versionNode = new Uint32Array(nodes);
    const writer = new VersionWriter(this.origin, {
      nodes: nodes + (nodes >> 3) + 16, sets: records + 1, records: records + 1,
      keyBytes: this.stageKeys.length + (this.stageKeys.length >> 3) + 16, caseBytes: this.stageCases.length,
      dataBytes: this.data.length + 512,
    }, shared);
    const outRecords = u32s(records + 1);
    const types: number[] = [];
    const setTtl: number[] = [];
    const setStart: number[] = [];
    const accepted: number[] = [];
    const sigs: number[] = [];
    const nsec3 = new VersionWriter(this.origin, undefined, shared);
    const nsec3Out = u32s();
    nsec3.node(keys, 0, 0);
    const nodeErrors: { at: number; d: Diagnostic }[] = [];
    const apexDiagnostics: Diagnostic[] = [];
    const error = (at: number, pos: SourcePos, message: string) => this.found.push({ at, d: { pos, severity: 'error', message } });
    const warn = (at: number, message: string) => this.found.push({ at, d: { pos: this.pos(at), severity: 'warning', message } });

    // The columns are complete: read them directly.
    const recType = this.recType.data;
    const recTtl = this.recTtl.data;
    for (let n = 0; n < nodes; n++) {
      types.length = setTtl.length = setStart.length = accepted.length = 0;
      const from = first[n]!;
      const to = first[n + 1]!;
      sigs.length = 0;
      for (let i = from; i < to; i++) {
        const t = recType[byNode[i]!]!;
        // Signatures go to the slot of the RRset they cover (see signatures()), not to an RRset of their own.
        if (t === RRType.RRSIG) sigs.push(byNode[i]!);
        else if (!types.includes(t)) types.push(t);
      }
      for (const type of types) {
        setStart.push(accepted.length);
        const start = accepted.length;
        let seen: Set<string> | undefined;
        for (let i = from; i < to; i++) {
          const r = byNode[i]!;
          if (recType[r] !== type) continue;
          if (accepted.length === start) {
            setTtl.push(recTtl[r]!);
            accepted.push(r);
            continue;
          }
          const count = accepted.length - start;
          if (count === LINEAR_DUPLICATES + 1 && !seen) seen = new Set(accepted.slice(start).map((a) => this.rdataText(a)));
          let duplicate = false;
          if (seen) duplicate = seen.has(this.rdataText(r));
          else for (let a = start; a < accepted.length && !duplicate; a++) duplicate = this.rdataEquals(accepted[a]!, r);
          if (duplicate) {
            warn(r, `duplicate ${typeName(type)} record at ${this.stageName(this.recStage.data[r]!)}: ignored`);
            continue;
          }
          seen?.add(this.rdataText(r));
          const ttl = setTtl[setTtl.length - 1]!;
          if (recTtl[r] !== ttl) {
            // RFC 2181 §5.2: such a set is treated as having its lowest TTL, as Knot answers it (BIND keeps the first).
            const lowest = Math.min(recTtl[r]!, ttl);
            warn(r, `TTL ${recTtl[r]} differs from ${ttl} of the other ${typeName(type)} records at ${this.stageName(this.recStage.data[r]!)}: ${lowest} is used`);
            setTtl[setTtl.length - 1] = lowest;
          }
          if (type === RRType.SOA) {
            error(r, this.pos(r), `more than one SOA record at ${this.origin}`);
            continue;
          }
          if (type === RRType.CNAME || type === RRType.ALIAS) {
            error(r, this.pos(r), `more than one ${typeName(type)} record at ${this.stageName(this.recStage.data[r]!)}`);
            continue;
          }
          accepted.push(r);
        }
      }
      setStart.push(accepted.length);

      const cname = types.indexOf(RRType.CNAME);
      // RFC 4035 §2.5: the NSEC (and RRSIGs) of a signed zone stand beside a CNAME.
      if (cname >= 0 && types.length > (types.includes(RRType.NSEC) ? 2 : 1)) {
        const other = cname === 0 ? 1 : 0;
        const a = accepted[setStart[cname]!]!;
        const b = accepted[setStart[other]!]!;
        // The later of the two, in the order written (file, then line and column within it).
        const later = this.posFile.data[b] !== this.posFile.data[a] ? Math.max(a, b) :
          this.posLine.data[b]! > this.posLine.data[a]! || (this.posLine.data[b] === this.posLine.data[a] && this.posCol.data[b]! > this.posCol.data[a]!) ? b : a;
        const others = types.filter((t) => t !== RRType.CNAME && t !== RRType.NSEC).map(typeName).join(', ');
        nodeErrors.push({ at: nodeStage.data[n]!, d: { pos: this.pos(later), severity: 'error', message: `CNAME at ${this.stageName(nodeStage.data[n]!)} beside other data (${others}): a CNAME must be alone at its name` } });
      }
      const alias = types.indexOf(RRType.ALIAS);
      if (alias >= 0 && (types.includes(RRType.A) || types.includes(RRType.AAAA))) {
        // Which addresses would an A question get? octoDNS refuses it too ("cannot coexist with A or AAAA records").
        nodeErrors.push({ at: nodeStage.data[n]!, d: { pos: this.pos(accepted[setStart[alias]!]!), severity: 'error', message: `ALIAS at ${this.stageName(nodeStage.data[n]!)} beside A or AAAA records: the ALIAS gives the name its addresses` } });
      }

      const s = nodeStage.data[n]!;
      const cs = this.stageCaseStart.data[s]!;
      const ce = this.stageCaseStart.data[s + 1]!;
      const caseWire = ce > cs ? this.stageCases.data.subarray(cs, ce) : undefined;
      const before = writer.current;
      writer.node(keys, ks[s]!, ks[s + 1]!, caseWire);
      for (let t = 0; t < types.length; t++) {
        // NSEC3 owners are hashes, not names of the zone: their RRsets go to the companion version.
        const type = types[t]!;
        const chain = type === RRType.NSEC3;
        const w = chain ? nsec3 : writer;
        const out = chain ? nsec3Out : outRecords;
        if (chain) nsec3.node(keys, ks[s]!, ks[s + 1]!, caseWire);
        this.writeSet(w, type, setTtl[t]!, accepted, setStart[t]!, setStart[t + 1]!, out);
        if (sigs.length > 0) this.signatures(w, type, setTtl[t]!, sigs, out, warn);
      }
      for (const r of sigs) {
        if (r !== USED) warn(r, `RRSIG at ${this.stageName(this.recStage.data[r]!)} covers ${typeName(covered(this.data.data, this.dataStart.data[r]!))}, which has no records there: ignored`);
      }
      if (n === 0) this.apex(writer, types, setStart, accepted, outRecords, apexDiagnostics);
      // A name with nothing but NSEC3 records (or signatures of nothing) is no node of the zone.
      versionNode[n] = n === 0 || writer.current !== before ? writer.current : NO_NODE;
    }
    // Errors about names come after those about records, in the order the names were first written.
    nodeErrors.sort((a, b) => a.at - b.at);
    const diagnostics = [...this.found.sort((a, b) => a.at - b.at), ...nodeErrors].map((f) => f.d).concat(apexDiagnostics);
    if (diagnostics.some((d) => d.severity === 'error')) throw new ZoneLoadError(diagnostics);
    const chain = nsec3.finish();
    const version = writer.finish(chain.nodeCount > 1 ? chain : undefined);
    // The companion's records are numbered after the main tree's (see Zone).
    const main = outRecords.finish();
    const all = new Uint32Array(main.length + nsec3Out.length);
    all.set(main);
    all.set(nsec3Out.finish(), main.length);
    const positions = this.positions(all, shared);
    // The checks visit names as buildZone's did: the apex, then in the order first written.
    // Every node has a stage of its own, so one pass over the stages puts them in that order (no sort).
    const nodeAt = new Int32Array(stages).fill(-1);
    for (let n = 1; n < nodes; n++) nodeAt[nodeStage.data[n]!] = n;
    const written = typed(Uint32Array, nodes, shared);
    written[0] = versionNode[0]!;
    for (let s = 0, i = 1; s < stages; s++) if (nodeAt[s]! >= 0) written[i++] = versionNode[nodeAt[s]!]!;
    return { version, diagnostics, positions, written };
  }

  /** The canonical order of all `stages` owners, the last being the apex's own (added by write). */
  private ownerOrder(stages: number): Uint32Array {
    const sorted = this.sorted;
    if (sorted?.length === stages - 1) {
      const order = new Uint32Array(stages);
      // The apex's key is the empty one, first of all: it goes after the owners written as the apex.
      let apexes = 0;
      while (apexes < sorted.length && this.stageKeyStart.data[sorted[apexes]! + 1] === this.stageKeyStart.data[sorted[apexes]!]) apexes++;
      order.set(sorted.subarray(0, apexes));
      order[apexes] = stages - 1;
      order.set(sorted.subarray(apexes), apexes + 1);
      return order;
    }
    return this.sortedOwners(stages);
  }

  /** The apex rules, and the SOA made up when none was written (after the apex's other RRsets, as buildZone put it). */
  private apex(writer: VersionWriter, types: number[], setStart: number[], accepted: number[], out: { push(v: number): void }, found: Diagnostic[]): void {
    const apexPos: SourcePos = { file: this.file, line: 1, col: 1 };
    const cname = types.indexOf(RRType.CNAME);
    if (cname >= 0) found.push({ pos: this.pos(accepted[setStart[cname]!]!), severity: 'error', message: `CNAME at the zone apex ${this.origin}` });
    const ns = types.indexOf(RRType.NS);
    if (ns < 0) found.push({ pos: apexPos, severity: 'warning', message: `no NS records at the apex of ${this.origin}` });
    if (types.includes(RRType.SOA)) return;
    writer.set(RRType.SOA, this.soaDefaults.ttl);
    writer.record(this.synthesizedSoa(ns >= 0 ? accepted[setStart[ns]!]! : -1));
    out.push(-1 >>> 0);
  }

  private writeSet(writer: VersionWriter, type: number, ttl: number, accepted: number[], start: number, end: number, out: { push(v: number): void }): void {
    writer.set(type, ttl);
    const d = this.data.data;
    const ds = this.dataStart.data;
    for (let i = start; i < end; i++) {
      const r = accepted[i]!;
      writer.record(d, ds[r]!, ds[r + 1]!);
      out.push(r);
    }
  }

  /**
   * Writes the signatures among `sigs` that cover `type` into the slot of the
   * RRset just written, duplicates left out; each one used is marked USED in `sigs`.
   * A signature has its RRset's TTL (RFC 4034 §3: the RRSIG's TTL is the set's).
   */
  private signatures(writer: VersionWriter, type: number, ttl: number, sigs: number[], out: { push(v: number): void }, warn: (at: number, message: string) => void): void {
    const d = this.data.data;
    const ds = this.dataStart.data;
    const written: number[] = [];
    for (let i = 0; i < sigs.length; i++) {
      const r = sigs[i]!;
      if (r === USED || covered(d, ds[r]!) !== type) continue;
      sigs[i] = USED;
      const name = () => this.stageName(this.recStage.data[r]!);
      if (written.some((w) => this.rdataEquals(w, r))) {
        warn(r, `duplicate RRSIG record covering ${typeName(type)} at ${name()}: ignored`);
        continue;
      }
      if (this.recTtl.data[r] !== ttl) warn(r, `TTL ${this.recTtl.data[r]} of an RRSIG differs from ${ttl} of the ${typeName(type)} records it covers at ${name()}: ${ttl} is used`);
      if (written.length === 0) writer.signatures();
      written.push(r);
      writer.record(d, ds[r]!, ds[r + 1]!);
      out.push(r);
    }
  }

  /** MNAME the first apex NS (or the apex), RNAME hostmaster.<zone>, the timers decisions.md lists. */
  private synthesizedSoa(firstNs: number): Buffer {
    const ns = firstNs >= 0 ? Buffer.from(this.data.data.buffer, this.dataStart.data[firstNs]!, this.dataStart.data[firstNs + 1]! - this.dataStart.data[firstNs]!) : undefined;
    const mname = ns ? targetOf(RRType.NS, ns)! : this.origin;
    return soaData(mname, this.origin.prepend('hostmaster'), this.soaDefaults.serial >>> 0, 3600, 600, 1209600, 300);
  }

  /** Positions in the version's record order; the synthesized SOA (staged index 2^32 - 1) at line 1 of the file. */
  private positions(staged: Uint32Array, shared: boolean): RecordPositions {
    const files = [...this.files, this.file];
    const file = typed(Uint16Array, staged.length, shared);
    const line = typed(Uint32Array, staged.length, shared);
    const col = typed(Uint32Array, staged.length, shared);
    staged.forEach((r, i) => {
      const synthesized = r === 0xffffffff;
      file[i] = synthesized ? files.length - 1 : this.posFile.data[r]!;
      line[i] = synthesized ? 1 : this.posLine.data[r]!;
      col[i] = synthesized ? 1 : this.posCol.data[r]!;
    });
    return new RecordPositions(files, file, line, col);
  }
}
