// A hash of a zone version's content, the SOA serial left out: tells whether a
// reload brought any change. Read straight from the version's columns and
// hashed in large chunks: a million records cost one pass over the heaps, not
// three million calls into the hash and a string per record.
import { createHash } from 'node:crypto';
import { setSoaSerial } from '../rrtypes/soa.js';
import { RRType } from '../wire/types.js';
import type { ZoneVersion } from './version.js';

const CHUNK = 1 << 16;

/**
 * The digest of `version`, its nodes taken in `order` (the order names were
 * first written) and each node's RRsets and records as stored. Each record is
 * framed (owner key, type, TTL, RDATA, with their lengths), so that no two
 * different contents hash the same octets; owners by key, so that a change of
 * case alone is no change, as before.
 */
export function versionDigest(version: ZoneVersion, order: Iterable<number>): string {
  const { keys, keyStart, setStart, setType, setTtl, recStart, sigStart, data, dataStart } = version.columns;
  const hash = createHash('sha256');
  let buf = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  const room = (n: number) => {
    if (at + n <= buf.length) return;
    hash.update(buf.subarray(0, at));
    at = 0;
    if (n > buf.length) buf = Buffer.allocUnsafe(n);
  };
  for (const n of order) {
    const k0 = keyStart[n]!;
    const k1 = keyStart[n + 1]!;
    for (let s = setStart[n]!; s < setStart[n + 1]!; s++) {
      const type = setType[s]!;
      for (let r = recStart[s]!; r < sigStart[s]!; r++) {
        const d0 = dataStart[r]!;
        const d1 = dataStart[r + 1]!;
        room(2 + (k1 - k0) + 2 + 4 + 2 + (d1 - d0));
        at = buf.writeUInt16BE(k1 - k0, at);
        buf.set(keys.subarray(k0, k1), at);
        at += k1 - k0;
        at = buf.writeUInt16BE(type, at);
        at = buf.writeUInt32BE(setTtl[s]!, at);
        at = buf.writeUInt16BE(d1 - d0, at);
        buf.set(data.subarray(d0, d1), at);
        at += d1 - d0;
        if (type === RRType.SOA) setSoaSerial(buf.subarray(at - (d1 - d0), at), 0);
      }
    }
  }
  hash.update(buf.subarray(0, at));
  return hash.digest('hex');
}
