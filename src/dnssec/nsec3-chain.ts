// The NSEC3 chain (RFC 5155 §7.1): which names get an NSEC3 record, their
// hashes in hash order, and the NSEC3 and NSEC3PARAM RDATA. Hashes live in one
// array of 20-octet slots, not a Buffer per name: a million-name zone hashes a
// million names.
import { compareKeys } from '../zone/canonical.js';
import { NodeFlag, type ZoneVersion } from '../zone/version.js';
import { RRType } from '../wire/types.js';
import { NSEC3_SHA1, nsec3HashWire, typeBitmap } from './nsec3-hash.js';
import type { Nsec3Settings } from './policy.js';

export const HASH_LENGTH = 20;

/** The Opt-Out flag of NSEC3 (RFC 5155 §3.1.2.1). */
export const OPT_OUT = 1;

/** What the chain needs to know of each node, from the signer (which knows which records it keeps). */
export interface ChainNodes {
  /** Whether the node keeps records once the signer has left out those it owns. */
  hasRecords(node: number): boolean;
  /** Writes the node's owner in canonical wire form (lowercase, root octet included) into `out`; returns its length. */
  canonicalOwner(node: number, out: Uint8Array): number;
}

export interface Nsec3Chain {
  /** The nodes that have an NSEC3 record, in node order. */
  nodes: Uint32Array;
  /** Their hashes, slot i for nodes[i]. */
  hashes: Uint8Array;
  /** Slots in hash order: the chain. */
  order: Uint32Array;
}

/**
 * Every authoritative name, delegation points and empty non-terminals included
 * (RFC 5155 §7.1), but names below a cut; with opt-out, not delegations without
 * DS nor empty non-terminals that only such delegations make. The hashing (a
 * million names are seconds of SHA-1) awaits `pause` between names, so that
 * the caller can let queries in.
 */
export async function nsec3Chain(version: ZoneVersion, nodes: ChainNodes, settings: Nsec3Settings, pause: () => Promise<void> | undefined = () => undefined): Promise<Nsec3Chain> {
  const count = version.nodeCount;
  const { keys, keyStart } = version.columns;
  const needs = new Uint8Array(count);
  const stack: number[] = [];
  for (let n = 0; n < count; n++) {
    // Keys are prefixes of their descendants' keys: the stack keeps the ancestors of n.
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const length = keyStart[top + 1]! - keyStart[top]!;
      if (length < keyStart[n + 1]! - keyStart[n]! && compareKeys(keys, keyStart[top]!, keyStart[top + 1]!, keys, keyStart[n]!, keyStart[n]! + length) === 0) break;
      stack.pop();
    }
    const flags = version.flags(n);
    const insecure = n > 0 && (flags & NodeFlag.DELEGATION) !== 0 && version.rrset(n, RRType.DS) < 0;
    if ((flags & NodeFlag.OCCLUDED) === 0 && nodes.hasRecords(n) && !(settings.optOut && insecure)) {
      needs[n] = 1;
      // Its empty ancestors are needed too (each stands for names that exist).
      for (let i = stack.length - 1; i >= 0 && !needs[stack[i]!]; i--) needs[stack[i]!] = 1;
    }
    stack.push(n);
  }
  let total = 0;
  for (let n = 0; n < count; n++) total += needs[n]!;
  const chainNodes = new Uint32Array(total);
  const hashes = new Uint8Array(total * HASH_LENGTH);
  const wire = new Uint8Array(256);
  for (let n = 0, i = 0; n < count; n++) {
    if (!needs[n]) continue;
    const wait = pause();
    if (wait) await wait;
    chainNodes[i] = n;
    hashes.set(nsec3HashWire(wire.subarray(0, nodes.canonicalOwner(n, wire)), settings.salt, settings.iterations), i * HASH_LENGTH);
    i++;
  }
  const prefix = new Uint32Array(total);
  const view = new DataView(hashes.buffer);
  for (let i = 0; i < total; i++) prefix[i] = view.getUint32(i * HASH_LENGTH);
  return { nodes: chainNodes, hashes, order: hashOrder(hashes, prefix) };
}

/** Slots below this count sort as numbers: the hash's first 32 bits and the slot in the 53 bits a double holds exactly. */
const PACKED_SLOTS = 2 ** 21;

/** The slots in hash order: a numeric sort of the packed prefixes (native, no comparator), then each run of equal prefixes put right by the whole hash. */
function hashOrder(hashes: Uint8Array, prefix: Uint32Array): Uint32Array {
  const total = prefix.length;
  const full = (a: number, b: number) => prefix[a]! - prefix[b]! || compareKeys(hashes, a * HASH_LENGTH, (a + 1) * HASH_LENGTH, hashes, b * HASH_LENGTH, (b + 1) * HASH_LENGTH);
  const order = new Uint32Array(total);
  if (total >= PACKED_SLOTS) {
    for (let i = 0; i < total; i++) order[i] = i;
    return order.sort(full);
  }
  const packed = new Float64Array(total);
  for (let i = 0; i < total; i++) packed[i] = prefix[i]! * PACKED_SLOTS + i;
  packed.sort();
  for (let i = 0; i < total; i++) order[i] = packed[i]! % PACKED_SLOTS;
  for (let i = 0; i < total;) {
    let j = i + 1;
    while (j < total && prefix[order[j]!] === prefix[order[i]!]) j++;
    if (j - i > 1) order.subarray(i, j).sort(full);
    i = j;
  }
  return order;
}

/** NSEC3 RDATA (RFC 5155 §3.2): SHA-1, flags, iterations, salt, the next hashed owner, the types at the original owner. */
export function nsec3RData(settings: Nsec3Settings, next: Uint8Array, types: readonly number[]): Buffer {
  const head = nsec3Head(settings, settings.optOut ? OPT_OUT : 0);
  return Buffer.concat([head, Buffer.of(next.length), next, typeBitmap([...types])]);
}

/** NSEC3PARAM RDATA (RFC 5155 §4.2): its flags are 0 whatever the chain's opt-out. */
export function nsec3ParamRData(settings: Nsec3Settings): Buffer {
  return nsec3Head(settings, 0);
}

function nsec3Head(settings: Nsec3Settings, flags: number): Buffer {
  const head = Buffer.alloc(5);
  head[0] = NSEC3_SHA1;
  head[1] = flags;
  head.writeUInt16BE(settings.iterations, 2);
  head[4] = settings.salt.length;
  return Buffer.concat([head, settings.salt]);
}
