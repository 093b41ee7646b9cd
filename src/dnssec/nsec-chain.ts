// The NSEC chain (RFC 4034 §4, RFC 4035 §2.3): every authoritative name that
// owns records, and every delegation point, links to the next one in canonical
// order, the last back to the apex; glue below a cut is not in it.
import { typeBitmap } from './nsec3-hash.js';
import { RRType } from '../wire/types.js';
import { NodeFlag, type ZoneVersion } from '../zone/version.js';

/** Whether `node` is in the NSEC chain, given whether it keeps records once the signer has left out the ones it owns. */
export function inNsecChain(version: ZoneVersion, node: number, hasRecords: boolean): boolean {
  return hasRecords && (version.flags(node) & NodeFlag.OCCLUDED) === 0;
}

/** NSEC RDATA: the next owner (wire form without its root octet, case as written) and the types at the owner, NSEC and RRSIG among them. */
export function nsecRData(nextOwner: Uint8Array, types: readonly number[]): Buffer {
  return Buffer.concat([nextOwner, Buffer.of(0), typeBitmap([...types, RRType.NSEC, RRType.RRSIG])]);
}
