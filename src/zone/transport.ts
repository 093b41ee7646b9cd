// A built Zone moved from the loader thread to the thread that serves it. Zone
// objects do not survive structured cloning (Names and Buffers lose their
// classes), and one message holding a large zone would be deserialized in one
// go on the serving thread, which is the stall this exists to avoid. So the
// loader sends the zone as plain data (names as presentation text, octets as
// latin1 strings) in chunks of a few thousand records, and the serving thread
// turns each chunk back into nodes between queries.
import { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { RData, SourcePos } from './records.js';
import { Zone, type RRset } from './zone.js';

/** RData with every Name as its presentation form and every Buffer as a latin1 string. */
export type PackedRData = Record<string, string | number | string[]>;

export interface PackedSet {
  type: number;
  ttl: number;
  rdata: PackedRData[];
  /** Index into ZoneHead.files, line, column. */
  pos: [number, number, number];
}

export interface PackedNode {
  owner: string;
  sets: PackedSet[];
}

export interface PackedChunk {
  /** Files (the zone file, its $INCLUDEs) first met in this chunk; PackedSet.pos counts on from the earlier ones. */
  files: string[];
  nodes: PackedNode[];
}

/** What comes before the nodes. */
export interface ZoneHead {
  origin: string;
  file: string;
  autoSerial: boolean;
  digest: string;
}

const NAME_FIELDS: Partial<Record<RData['kind'], readonly string[]>> = {
  NS: ['target'], CNAME: ['target'], PTR: ['target'], MX: ['exchange'], SRV: ['target'], SOA: ['mname', 'rname'],
};

function packRData(rd: RData): PackedRData {
  const out: PackedRData = {};
  for (const [key, value] of Object.entries(rd) as [string, unknown][]) {
    if (value instanceof Name) out[key] = value.toString();
    else if (Buffer.isBuffer(value)) out[key] = value.toString('latin1');
    else if (Array.isArray(value)) out[key] = (value as Buffer[]).map((b) => b.toString('latin1'));
    else out[key] = value as string | number;
  }
  return out;
}

export function zoneHead(zone: Zone): ZoneHead {
  return { origin: zone.origin.toString(), file: zone.file, autoSerial: zone.autoSerial, digest: zone.digest };
}

/**
 * The zone's nodes, apex first, in chunks of about `recordsPerChunk` records.
 * Each node leaves `zone` once packed, so the loader's copy shrinks as the
 * serving thread's grows.
 */
export function* packNodes(zone: Zone, recordsPerChunk: number): Generator<PackedChunk> {
  const fileIndex = new Map<string, number>();
  let chunk: PackedChunk = { files: [], nodes: [] };
  const indexOf = (pos: SourcePos) => {
    let i = fileIndex.get(pos.file);
    if (i === undefined) {
      i = fileIndex.size;
      fileIndex.set(pos.file, i);
      chunk.files.push(pos.file);
    }
    return i;
  };
  let records = 0;
  for (const [key, node] of zone.nodes) {
    const sets: PackedSet[] = [];
    for (const set of node.rrsets.values()) {
      sets.push({ type: set.type, ttl: set.ttl, rdata: set.rdata.map(packRData), pos: [indexOf(set.pos), set.pos.line, set.pos.col] });
      records += set.rdata.length;
    }
    chunk.nodes.push({ owner: node.name.toString(), sets });
    zone.nodes.delete(key);
    if (records >= recordsPerChunk) {
      yield chunk;
      chunk = { files: [], nodes: [] };
      records = 0;
    }
  }
  if (chunk.nodes.length > 0) yield chunk;
}

/** Rebuilds, node by node, the Zone that packNodes took apart. */
export class ZoneAssembler {
  readonly zone: Zone;
  // Names written again and again (MX exchanges, NS targets) become one Name
  // each, as the parser makes them; bounded like the parser's.
  private readonly names = new Map<string, Name>();
  private readonly files: string[] = [];

  constructor(head: ZoneHead) {
    this.zone = new Zone(Name.parse(head.origin), head.file);
    this.zone.autoSerial = head.autoSerial;
    this.zone.knownDigest(head.digest);
  }

  private name(text: string): Name {
    let n = this.names.get(text);
    if (n === undefined) {
      if (this.names.size >= 4096) this.names.clear();
      n = Name.parse(text);
      this.names.set(text, n);
    }
    return n;
  }

  private unpackRData(p: PackedRData): RData {
    const kind = p.kind as RData['kind'];
    const nameFields = NAME_FIELDS[kind];
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(p)) {
      if (nameFields?.includes(key)) out[key] = this.name(value as string);
      else if (Array.isArray(value)) out[key] = value.map((s) => Buffer.from(s, 'latin1'));
      else if (key === 'bytes' || key === 'value' || key === 'data') out[key] = Buffer.from(value as string, 'latin1');
      else out[key] = value;
    }
    return out as RData;
  }

  addFiles(files: readonly string[]): void {
    this.files.push(...files);
  }

  add(p: PackedNode): void {
    const zone = this.zone;
    const name = Name.parse(p.owner);
    const node = { name, rrsets: new Map<number, RRset>() };
    for (const s of p.sets) {
      const pos = { file: this.files[s.pos[0]]!, line: s.pos[1], col: s.pos[2] };
      node.rrsets.set(s.type, { owner: name, type: s.type, ttl: s.ttl, rdata: s.rdata.map((r) => this.unpackRData(r)), pos });
      zone.recordCount += s.rdata.length;
    }
    zone.nodes.set(name.key, node);
    if (node.rrsets.has(RRType.NS) && !name.equals(zone.origin)) zone.cuts.add(name.key);
    // As buildZone does: the name and the empty non-terminals above it.
    for (let i = 0; i <= name.labelCount - zone.origin.labelCount; i++) {
      const key = name.suffixKey(i);
      if (zone.names.has(key)) break;
      zone.names.add(key);
    }
  }
}
