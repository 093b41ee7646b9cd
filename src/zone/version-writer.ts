// Writes a ZoneVersion's columns from nodes given in canonical order: the
// builder (from a loader's records) and apply (a version and a changeset) both
// end here. It adds the empty non-terminals between a name and its nearest
// existing ancestor and sets every node's flags on the way, so neither caller
// has to know how a version is laid out.
import type { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import { bytes, u16s, u32s, type Column } from './columns.js';
import { compareKeys, MAX_KEY } from './canonical.js';
import { NodeFlag, ZoneVersion } from './version.js';

/** What a writer may expect to hold, when its caller knows: columns start at these sizes. */
export interface VersionSizes {
  nodes: number;
  sets: number;
  records: number;
  keyBytes: number;
  caseBytes: number;
  dataBytes: number;
}

const SMALL: VersionSizes = { nodes: 1024, sets: 1024, records: 1024, keyBytes: 1 << 14, caseBytes: 1024, dataBytes: 1 << 16 };

export class VersionWriter {
  private readonly keys: Column<Uint8Array>;
  private readonly keyStart: Column<Uint32Array>;
  private readonly cases: Column<Uint8Array>;
  private readonly caseStart: Column<Uint32Array>;
  private readonly flags: Column<Uint8Array>;
  private readonly setStart: Column<Uint32Array>;
  private readonly setType: Column<Uint16Array>;
  private readonly setTtl: Column<Uint32Array>;
  private readonly recStart: Column<Uint32Array>;
  private readonly sigStart: Column<Uint32Array>;
  private readonly data: Column<Uint8Array>;
  private readonly dataStart: Column<Uint32Array>;
  /** The chain of nodes from the apex to the last one written. */
  private readonly chain: number[] = [];
  /** A node given but not written until its first RRset: one left without any is dropped. */
  private readonly pendingKey = new Uint8Array(MAX_KEY);
  private pendingLength = -1;
  private readonly pendingCase = new Uint8Array(256);
  private pendingCaseLength = 0;
  private openSet = false;
  /** The open RRset's signatures have begun (its sigStart is written). */
  private signing = false;

  /** `shared`: the version's columns are SharedArrayBuffers, which other threads read in place (see VersionBuilder.write). */
  constructor(private readonly origin: Name, sizes: VersionSizes = SMALL, shared = false) {
    const { nodes, sets, records } = sizes;
    this.keys = bytes(sizes.keyBytes, shared);
    this.keyStart = u32s(nodes + 1, shared);
    this.cases = bytes(sizes.caseBytes, shared);
    this.caseStart = u32s(nodes + 1, shared);
    this.flags = bytes(nodes, shared);
    this.setStart = u32s(nodes + 1, shared);
    this.setType = u16s(sets, shared);
    this.setTtl = u32s(sets, shared);
    this.recStart = u32s(sets + 1, shared);
    this.sigStart = u32s(sets, shared);
    this.data = bytes(sizes.dataBytes, shared);
    this.dataStart = u32s(records + 1, shared);
    this.keyStart.push(0);
    this.caseStart.push(0);
    this.dataStart.push(0);
  }

  /**
   * Starts the node of `key[start, end)`, whose labels in the case written are
   * `caseWire` when that differs from lowercase. Keys must rise strictly.
   */
  node(key: Uint8Array, start: number, end: number, caseWire?: Uint8Array): void {
    // An apex without RRsets (a companion's) is written before the first node below it.
    if (this.pendingLength === 0 && this.flags.length === 0) this.writeNode();
    const pending = this.pendingKey;
    for (let i = start; i < end; i++) pending[i - start] = key[i]!;
    this.pendingLength = end - start;
    this.pendingCaseLength = caseWire?.length ?? 0;
    if (caseWire) this.pendingCase.set(caseWire);
  }

  /** Starts an RRset of the current node. */
  set(type: number, ttl: number): void {
    if (this.pendingLength >= 0) this.writeNode();
    this.closeSet();
    const node = this.current;
    if (type === RRType.NS && node > 0) this.flags.data[node]! |= NodeFlag.DELEGATION;
    this.setType.push(type);
    this.setTtl.push(ttl);
    this.recStart.push(this.dataStart.length - 1);
    this.openSet = true;
  }

  /** The index the current node has in the version. */
  get current(): number {
    return this.flags.length - 1;
  }

  /** The records added to the current RRset from now on are its signatures (RRSIG RDATA). */
  signatures(): void {
    if (!this.openSet || this.signing) return;
    this.sigStart.push(this.dataStart.length - 1);
    this.signing = true;
  }

  /** Adds a record (RDATA in wire form) to the current RRset. */
  record(rdata: Uint8Array, start = 0, end = rdata.length): void {
    this.data.append(rdata, start, end);
    this.dataStart.push(this.data.length);
  }

  /**
   * The version written, with the NSEC3 companion `nsec3` when there is one.
   * An apex given without RRsets is written empty (a companion's apex is).
   */
  finish(nsec3?: ZoneVersion): ZoneVersion {
    this.closeSet();
    if (this.flags.length === 0 && this.pendingLength === 0) this.writeNode();
    if (this.flags.length === 0) throw new Error('a zone version needs its apex');
    this.setStart.push(this.setType.length);
    this.recStart.push(this.dataStart.length - 1);
    return new ZoneVersion(this.origin, {
      keys: this.keys.finish(), keyStart: this.keyStart.finish(),
      cases: this.cases.finish(), caseStart: this.caseStart.finish(),
      flags: this.flags.finish(), setStart: this.setStart.finish(),
      setType: this.setType.finish(), setTtl: this.setTtl.finish(),
      recStart: this.recStart.finish(), sigStart: this.sigStart.finish(),
      data: this.data.finish(), dataStart: this.dataStart.finish(),
    }, nsec3);
  }

  private closeSet(): void {
    if (this.openSet && !this.signing) this.sigStart.push(this.dataStart.length - 1);
    this.openSet = false;
    this.signing = false;
  }

  private writeNode(): void {
    const key = this.pendingKey;
    const length = this.pendingLength;
    this.pendingLength = -1;
    const keys = this.keys.data;
    const starts = this.keyStart.data;
    const chain = this.chain;
    const count = this.flags.length;
    if (count === 0) {
      if (length !== 0) throw new Error('a zone version starts with its apex');
      this.append(key, 0, NodeFlag.APEX, 0);
      return;
    }
    if (compareKeys(keys, starts[count - 1]!, starts[count]!, key, 0, length) >= 0) throw new Error('zone version nodes out of canonical order');
    // Keys end each label with 0x00 and hold no other: an ancestor's key is a prefix ending at one.
    let ancestor: number;
    for (;;) {
      const top = chain[chain.length - 1]!;
      ancestor = starts[top + 1]! - starts[top]!;
      if (ancestor <= length && compareKeys(keys, starts[top]!, starts[top + 1]!, key, 0, ancestor) === 0) break;
      chain.pop();
    }
    for (let p = ancestor; p < length - 1; p++) {
      if (key[p] === 1) p++;
      else if (key[p] === 0) this.append(key, p + 1, NodeFlag.EMPTY, 0);
    }
    this.append(key, length, 0, this.pendingCaseLength);
  }

  /** Writes the node of `key[0, length)` below the last node of the chain, with the pending case when `caseLength`. */
  private append(key: Uint8Array, length: number, flags: number, caseLength: number): void {
    const parent = this.chain[this.chain.length - 1];
    if (parent !== undefined && (this.flags.data[parent]! & (NodeFlag.DELEGATION | NodeFlag.OCCLUDED)) !== 0) flags |= NodeFlag.OCCLUDED;
    // The last label of the key is the node's own (leftmost) one.
    if (length >= 2 && key[length - 2] === 0x2a && (length === 2 || key[length - 3] === 0)) flags |= NodeFlag.WILDCARD;
    this.keys.append(key, 0, length);
    this.keyStart.push(this.keys.length);
    this.cases.append(this.pendingCase, 0, caseLength);
    this.caseStart.push(this.cases.length);
    this.setStart.push(this.setType.length);
    this.flags.push(flags);
    this.chain.push(this.flags.length - 1);
  }
}
