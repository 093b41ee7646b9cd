// A zone moved from the loader thread to the thread that serves it. The
// loader builds a ZoneVersion (packed columns, no object per record) and sends
// it as transferred ArrayBuffers, with where each record was written and the
// order names were first written: one message, moved rather than copied, so
// the serving thread deserializes nothing per record. There the Map-based
// Zone the server answers from is rebuilt node by node, a few at a time
// between queries, its record data views of the version's heap.
import { createHash } from 'node:crypto';
import { withSoaSerial } from '../rrtypes/soa.js';
import { RRType } from '../wire/types.js';
import type { LoadedVersion } from './load.js';
import { RecordPositions } from './version-builder.js';
import { NodeFlag, ZoneVersion, type VersionHandOver } from './version.js';
import { Zone, type RRset } from './zone.js';

/** What crosses the thread boundary. */
export interface ZoneHandOver {
  file: string;
  autoSerial: boolean;
  digest: string;
  version: VersionHandOver['message'];
  positions: { files: readonly string[]; file: Uint16Array; line: Uint32Array; col: Uint32Array };
  written: Uint32Array;
}

/**
 * Zone.digest of the zone the version will become, computed where the version
 * was built: the same records in the same order (names as first written, RRsets
 * and records as written), the SOA serial zeroed.
 */
function digestOf({ version, written }: LoadedVersion): string {
  const hash = createHash('sha256');
  for (const n of written) {
    const key = version.ownerName(n).key;
    const [s0, s1] = version.setsOf(n);
    for (let s = s0; s < s1; s++) {
      const type = version.setType(s);
      const [r0, r1] = version.recordsOf(s);
      for (let r = r0; r < r1; r++) {
        hash.update(`${key} ${type} ${version.setTtl(s)} `);
        hash.update(type === RRType.SOA ? withSoaSerial(version.rdata(r), 0) : version.rdata(r));
        hash.update('\n');
      }
    }
  }
  return hash.digest('hex');
}

/** The message and transfer list that move a loaded version; it is unusable here afterwards. */
export function handOverZone(loaded: LoadedVersion, file: string): { message: ZoneHandOver; transfer: ArrayBuffer[] } {
  const { version, positions, written } = loaded;
  const digest = digestOf(loaded);
  const { message, transfer } = version.handOver();
  const { files, file: fileIndex, line, col } = positions;
  return {
    message: { file, autoSerial: loaded.autoSerial, digest, version: message, positions: { files, file: fileIndex, line, col }, written },
    transfer: [...transfer, fileIndex.buffer as ArrayBuffer, line.buffer as ArrayBuffer, col.buffer as ArrayBuffer, written.buffer as ArrayBuffer],
  };
}

/** Rebuilds, node by node, the Zone that a hand-over carries. */
export class ZoneAssembler {
  readonly zone: Zone;
  private readonly version: ZoneVersion;
  private readonly positions: RecordPositions;
  private readonly written: Uint32Array;

  constructor(m: ZoneHandOver) {
    this.version = ZoneVersion.receive(m.version);
    this.positions = new RecordPositions(m.positions.files, m.positions.file, m.positions.line, m.positions.col);
    this.written = m.written;
    this.zone = new Zone(this.version.origin, m.file);
    this.zone.autoSerial = m.autoSerial;
    this.zone.knownDigest(m.digest);
  }

  /** Nodes to add, in the order they were first written. */
  get size(): number {
    return this.written.length;
  }

  /** Adds the i-th node. */
  add(i: number): void {
    const { zone, version } = this;
    const n = this.written[i]!;
    const name = version.ownerName(n);
    const rrsets = new Map<number, RRset>();
    const [s0, s1] = version.setsOf(n);
    for (let s = s0; s < s1; s++) {
      const [r0, r1] = version.recordsOf(s);
      const rdata: Buffer[] = [];
      for (let r = r0; r < r1; r++) rdata.push(version.rdata(r));
      rrsets.set(version.setType(s), { owner: name, type: version.setType(s), ttl: version.setTtl(s), rdata, pos: this.positions.at(r0) });
      zone.recordCount += r1 - r0;
    }
    zone.nodes.set(name.key, { name, rrsets });
    if ((version.flags(n) & NodeFlag.DELEGATION) !== 0) zone.cuts.add(name.key);
    // As buildZone does: the name and the empty non-terminals above it.
    for (let k = 0; k <= name.labelCount - zone.origin.labelCount; k++) {
      const key = name.suffixKey(k);
      if (zone.names.has(key)) break;
      zone.names.add(key);
    }
  }
}
