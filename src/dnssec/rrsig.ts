// RRSIG over an RRset (RFC 4034 §3.1.8.1): the signed data is the RRSIG RDATA
// without its signature, then the RRset in canonical form (§6.2, §6.3); and the
// check of such a signature with a DNSKEY.
import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalRData } from '../rrtypes/registry.js';
import { Name, readName } from '../wire/name.js';
import { canonicalName } from './canonical.js';
import { Algorithm, dnskeyPublicKey, DnssecKeyError, keyTag, type SigningKey } from './keys.js';

/** An RRset as the zone holds it: record data is uncompressed RDATA. */
export interface RRset {
  readonly owner: Name;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly rdatas: readonly Buffer[];
}

/** The validity period, in seconds since 1970 (RFC 4034 §3.1.5: 32-bit serial arithmetic, so mod 2^32). */
export interface Validity {
  readonly inception: number;
  readonly expiration: number;
}

/** The RRSIG RDATA signing `set` with `key`. */
export function signRRset(set: RRset, key: SigningKey, validity: Validity): Buffer {
  const head = rrsigHead(set, key.algorithm, labelsOf(set.owner), validity, key.tag, key.owner);
  return Buffer.concat([head, signature(key.algorithm, key.privateKey, signedData(head, set.type, set.class, set.ttl, canonicalName(set.owner), set.rdatas))]);
}

/**
 * What an RRSIG's signature is computed over: its RDATA up to the signature
 * (`head`), then the RRset in canonical form; the signing threads call this with
 * the RRsets they are sent.
 */
export function signedData(head: Buffer, type: number, klass: number, ttl: number, ownerWire: Buffer, rdatas: readonly Buffer[]): Buffer {
  return Buffer.concat([head, canonicalRecords(type, klass, ttl, ownerWire, rdatas)]);
}

/**
 * Why RRSIG RDATA `rrsig` does not verify `set` with DNSKEY RDATA `dnskey`, or
 * undefined when it does. The validity period is not checked: that is a question
 * of the clock, for the caller. `publicKey` is dnskeyPublicKey(dnskey) when the
 * caller keeps it: making it costs more than the verification itself.
 */
export function verifyRRset(set: RRset, rrsig: Buffer, dnskey: Buffer, publicKey?: KeyObject): string | undefined {
  let fields: RrsigFields;
  try {
    fields = rrsigFields(rrsig);
  } catch (e) {
    return `bad RRSIG data: ${(e as Error).message}`;
  }
  if (fields.typeCovered !== set.type) return `the RRSIG covers type ${fields.typeCovered}, not ${set.type}`;
  if (fields.algorithm !== dnskey[3]) return `the RRSIG is algorithm ${fields.algorithm}, the DNSKEY ${dnskey[3]}`;
  if (fields.keyTag !== keyTag(dnskey)) return `the RRSIG's key tag ${fields.keyTag} is not the DNSKEY's ${keyTag(dnskey)}`;
  if (fields.labels > labelsOf(set.owner)) return `the RRSIG's label count ${fields.labels} is more than the owner's`;
  if (!set.owner.isSubdomainOf(fields.signer)) return `the owner is not inside the signer ${fields.signer}`;
  try {
    publicKey ??= dnskeyPublicKey(dnskey);
  } catch (e) {
    if (e instanceof DnssecKeyError) return e.message;
    throw e;
  }
  // An answer synthesized from a wildcard is signed as the wildcard (RFC 4035 §5.3.2).
  const owner = fields.labels < labelsOf(set.owner) ? set.owner.strip(set.owner.labelCount - fields.labels).prepend('*') : set.owner;
  const data = signedData(rrsig.subarray(0, fields.signatureAt), set.type, set.class, fields.originalTtl, canonicalName(owner), set.rdatas);
  const sig = rrsig.subarray(fields.signatureAt);
  const ok = fields.algorithm === Algorithm.ED25519 ? verify(null, data, publicKey, sig)
    : fields.algorithm === Algorithm.ECDSAP256SHA256 ? verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)
    : verify('sha256', data, publicKey, sig);
  return ok ? undefined : 'the signature does not match';
}

/** The labels field: the owner's labels without the root nor a leading wildcard (RFC 4034 §3.1.3). */
function labelsOf(owner: Name): number {
  return owner.isWildcard ? owner.labelCount - 1 : owner.labelCount;
}

/** The RRSIG RDATA before its signature (RFC 4034 §3.1): what is signed first. */
export function rrsigHead(set: { type: number; ttl: number }, algorithm: number, labels: number, validity: Validity, tag: number, signer: Name): Buffer {
  const fixed = Buffer.alloc(18);
  fixed.writeUInt16BE(set.type, 0);
  fixed[2] = algorithm;
  fixed[3] = labels;
  fixed.writeUInt32BE(set.ttl >>> 0, 4);
  fixed.writeUInt32BE(validity.expiration >>> 0, 8);
  fixed.writeUInt32BE(validity.inception >>> 0, 12);
  fixed.writeUInt16BE(tag, 16);
  // The signer name in canonical (lowercase) form (RFC 6840 §5.1).
  return Buffer.concat([fixed, canonicalName(signer)]);
}

export interface RrsigFields {
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtl: number;
  readonly expiration: number;
  readonly inception: number;
  readonly keyTag: number;
  readonly signer: Name;
  readonly signatureAt: number;
}

/** The fields of RRSIG RDATA; throws when it is too short or its signer name is bad. */
export function rrsigFields(rrsig: Buffer): RrsigFields {
  if (rrsig.length < 19) throw new Error('shorter than 19 octets');
  const { name, end } = readName(rrsig, 18);
  return {
    typeCovered: rrsig.readUInt16BE(0),
    algorithm: rrsig[2]!,
    labels: rrsig[3]!,
    originalTtl: rrsig.readUInt32BE(4),
    expiration: rrsig.readUInt32BE(8),
    inception: rrsig.readUInt32BE(12),
    keyTag: rrsig.readUInt16BE(16),
    signer: name,
    signatureAt: end,
  };
}

/**
 * The RRset in canonical form and order (RFC 4034 §6.2, §6.3): each record as
 * owner (`ownerWire`, canonical), type, class, original TTL, length and canonical
 * RDATA; records sorted by their canonical RDATA as unsigned octet strings,
 * duplicates dropped.
 */
function canonicalRecords(type: number, klass: number, ttl: number, ownerWire: Buffer, raw: readonly Buffer[]): Buffer {
  const rdatas = raw.map((r) => canonicalRData(type, r)).sort(Buffer.compare);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(klass, 2);
  head.writeUInt32BE(ttl >>> 0, 4);
  const parts: Buffer[] = [];
  let last: Buffer | undefined;
  for (const rdata of rdatas) {
    if (last && last.equals(rdata)) continue;
    last = rdata;
    const len = Buffer.alloc(2);
    len.writeUInt16BE(rdata.length, 0);
    parts.push(ownerWire, head, len, rdata);
  }
  return Buffer.concat(parts);
}

/** ECDSA as r||s, 32 octets each (RFC 6605 §4), not DER; Ed25519 as its 64 octets; RSA PKCS #1 v1.5 (RFC 5702). */
export function signature(algorithm: Algorithm, privateKey: KeyObject, data: Buffer): Buffer {
  if (algorithm === Algorithm.ED25519) return sign(null, data, privateKey);
  if (algorithm === Algorithm.ECDSAP256SHA256) return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return sign('sha256', data, privateKey);
}
