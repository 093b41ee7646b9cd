// A built Zone moved from the loader thread to the thread that serves it. Zone
// objects do not survive structured cloning (Names and Buffers lose their
// classes), and one message holding a large zone would be deserialized in one
// go on the serving thread, which is the stall this exists to avoid. So the
// loader sends the zone as plain data (names as presentation text, record data
// as latin1 strings) in chunks of a few thousand records, and the serving thread
// turns each chunk back into nodes between queries.
import { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { SourcePos } from './records.js';
import { Zone, type RRset } from './zone.js';

export interface PackedSet {
  type: number;
  ttl: number;
  /** Each record's data, its octets as a latin1 string. */
  rdata: string[];
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
      sets.push({ type: set.type, ttl: set.ttl, rdata: set.rdata.map((rd) => rd.toString('latin1')), pos: [indexOf(set.pos), set.pos.line, set.pos.col] });
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
  private readonly files: string[] = [];

  constructor(head: ZoneHead) {
    this.zone = new Zone(Name.parse(head.origin), head.file);
    this.zone.autoSerial = head.autoSerial;
    this.zone.knownDigest(head.digest);
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
      node.rrsets.set(s.type, { owner: name, type: s.type, ttl: s.ttl, rdata: s.rdata.map((r) => Buffer.from(r, 'latin1')), pos });
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
