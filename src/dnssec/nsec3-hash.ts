// The NSEC3 owner hash (RFC 5155 §5) and the type bitmap NSEC and NSEC3 carry,
// for the chain builder.
import { createHash } from 'node:crypto';
import { base32hex } from '../rrtypes/nsec3.js';
import type { Name } from '../wire/name.js';
import { canonicalName } from './canonical.js';

export { encodeBitmap as typeBitmap } from '../rrtypes/fields.js';

/** SHA-1, the only NSEC3 hash algorithm (RFC 5155 §11). */
export const NSEC3_SHA1 = 1;

/** IH(salt, x, k): SHA-1 of the canonical name and salt, then `iterations` more times of the digest and salt. */
export function nsec3Hash(name: Name, salt: Buffer, iterations: number): Buffer {
  return nsec3HashWire(canonicalName(name), salt, iterations);
}

/** nsec3Hash of a name already in canonical wire form (lowercase, with its root octet). */
export function nsec3HashWire(wire: Uint8Array, salt: Buffer, iterations: number): Buffer {
  let digest = createHash('sha1').update(wire).update(salt).digest();
  for (let i = 0; i < iterations; i++) digest = createHash('sha1').update(digest).update(salt).digest();
  return digest;
}

/** The hashed owner label as it appears in a zone: base32hex, lowercase as signers print it. */
export function nsec3Label(name: Name, salt: Buffer, iterations: number): string {
  return base32hex(nsec3Hash(name, salt, iterations)).toLowerCase();
}
