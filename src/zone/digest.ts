// A hash of a zone version's content, the SOA serial left out: tells whether a
// reload brought any change. Read straight from the version's columns and
// hashed in large chunks: a million records cost one pass over the heaps, not
// three million calls into the hash and a string per record.
import { createHash, type Hash } from 'node:crypto';
import { setSoaSerial } from '../rrtypes/soa.js';
import { RRType } from '../wire/types.js';
import type { ZoneVersion } from './version.js';

const CHUNK = 1 << 16;

/**
 * The digest of `version`, its nodes taken in `order` (the order names were
 * first written) and each node's RRsets, records and signatures as stored, then
 * the NSEC3 chain's companion in its own order. Each record is framed (owner
 * key, type, TTL, RDATA, with their lengths), so that no two different
 * contents hash the same octets; owners by key, so that a change of case alone
 * is no change, as before; signatures as type RRSIG, so that a zone signed
 * again with the same records is a change.
 */
export function versionDigest(version: ZoneVersion, order: Iterable<number>): string {
  const hash = createHash('sha256');
  const chunks = new DigestChunks(hash);
  chunks.version(version, order);
  if (version.nsec3) chunks.version(version.nsec3, Array.from({ length: version.nsec3.nodeCount }, (_, n) => n));
  chunks.flush();
  return hash.digest('hex');
}

/**
 * Copies src[start, end) into out at `at`; returns where it ends. Most keys and
 * records are a few octets: a loop costs less than the view set() needs,
 * two views a record being most of what framing a large zone cost.
 */
function copy(src: Uint8Array, start: number, end: number, out: Buffer, at: number): number {
  if (end - start > 32) {
    out.set(src.subarray(start, end), at);
    return at + end - start;
  }
  for (let i = start; i < end; i++) out[at++] = src[i]!;
  return at;
}

/** Records framed into a buffer that goes to the hash whenever it is full. */
class DigestChunks {
  private buf = Buffer.allocUnsafe(CHUNK);
  private at = 0;

  constructor(private readonly hash: Hash) {}

  version(version: ZoneVersion, order: Iterable<number>): void {
    const { keys, keyStart, setStart, setType, setTtl, recStart, sigStart, data, dataStart } = version.columns;
    for (const n of order) {
      const k0 = keyStart[n]!;
      const k1 = keyStart[n + 1]!;
      for (let s = setStart[n]!; s < setStart[n + 1]!; s++) {
        for (let r = recStart[s]!; r < recStart[s + 1]!; r++) {
          const type = r < sigStart[s]! ? setType[s]! : RRType.RRSIG;
          const d0 = dataStart[r]!;
          const d1 = dataStart[r + 1]!;
          this.room(2 + (k1 - k0) + 2 + 4 + 2 + (d1 - d0));
          const buf = this.buf;
          let at = buf.writeUInt16BE(k1 - k0, this.at);
          at = copy(keys, k0, k1, buf, at);
          at = buf.writeUInt16BE(type, at);
          at = buf.writeUInt32BE(setTtl[s]!, at);
          at = buf.writeUInt16BE(d1 - d0, at);
          at = copy(data, d0, d1, buf, at);
          if (type === RRType.SOA) setSoaSerial(buf.subarray(at - (d1 - d0), at), 0);
          this.at = at;
        }
      }
    }
  }

  flush(): void {
    this.hash.update(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }
}
