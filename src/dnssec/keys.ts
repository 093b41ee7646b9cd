// DNSSEC keys on node:crypto: generation, the DNSKEY public key forms of each
// algorithm, key tags and DS digests. A key's private half stays a KeyObject;
// the DNSKEY RDATA is worked out once, when the key is made or loaded.
import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Name } from '../wire/name.js';
import { canonicalName } from './canonical.js';

/** The signing algorithms rotor makes and uses (IANA DNSSEC algorithm numbers). */
export const Algorithm = { RSASHA256: 8, ECDSAP256SHA256: 13, ED25519: 15 } as const;
export type Algorithm = (typeof Algorithm)[keyof typeof Algorithm];

export const ALGORITHM_NAMES: Record<Algorithm, string> = { 8: 'RSASHA256', 13: 'ECDSAP256SHA256', 15: 'ED25519' };

/** DNSKEY flags (RFC 4034 §2.1.1): a zone-signing key, and one that is also a secure entry point. */
export const ZSK_FLAGS = 256;
export const KSK_FLAGS = 257;

/** DS digest types (RFC 4034 §5.1.3 SHA-1, RFC 4509 SHA-256, RFC 6605 SHA-384). */
export const DigestType = { SHA1: 1, SHA256: 2, SHA384: 4 } as const;
export type DigestType = (typeof DigestType)[keyof typeof DigestType];
const DIGEST_HASH: Record<DigestType, string> = { 1: 'sha1', 2: 'sha256', 4: 'sha384' };

export class DnssecKeyError extends Error {}

export interface SigningKey {
  /** The zone the key is for: the DNSKEY's owner and the RRSIG's signer name. */
  readonly owner: Name;
  readonly flags: number;
  readonly algorithm: Algorithm;
  readonly privateKey: KeyObject;
  /** DNSKEY RDATA: flags, protocol 3, algorithm, public key. */
  readonly dnskey: Buffer;
  readonly tag: number;
}

export function isAlgorithm(n: number): n is Algorithm {
  return n === 8 || n === 13 || n === 15;
}

/** A new key pair; RSA keys are 2048 bits with exponent 65537 (what dnssec-keygen makes by default). */
export function generateKey(owner: Name, algorithm: Algorithm, flags = ZSK_FLAGS): SigningKey {
  const { privateKey } =
    algorithm === Algorithm.ED25519 ? generateKeyPairSync('ed25519')
    : algorithm === Algorithm.ECDSAP256SHA256 ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  return signingKey(owner, flags, algorithm, privateKey);
}

/** A key from its private half: the public key, DNSKEY and tag follow from it. */
export function signingKey(owner: Name, flags: number, algorithm: Algorithm, privateKey: KeyObject): SigningKey {
  const dnskey = dnskeyRData(flags, algorithm, publicKeyOctets(algorithm, createPublicKey(privateKey)));
  return { owner, flags, algorithm, privateKey, dnskey, tag: keyTag(dnskey) };
}

export function dnskeyRData(flags: number, algorithm: number, publicKey: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(flags, 0);
  head[2] = 3; // protocol: always 3 (RFC 4034 §2.1.2)
  head[3] = algorithm;
  return Buffer.concat([head, publicKey]);
}

const b64url = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');

/**
 * The public key as DNSKEY carries it: ECDSA Q as x||y (RFC 6605 §4), Ed25519's
 * 32 octets (RFC 8080 §3), RSA exponent length, exponent, modulus (RFC 3110 §2).
 */
function publicKeyOctets(algorithm: Algorithm, publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (algorithm === Algorithm.ED25519) return b64url(jwk.x);
  if (algorithm === Algorithm.ECDSAP256SHA256) return Buffer.concat([b64url(jwk.x), b64url(jwk.y)]);
  const e = b64url(jwk.e);
  const n = b64url(jwk.n);
  const len = e.length < 256 ? Buffer.of(e.length) : Buffer.of(0, e.length >> 8, e.length & 0xff);
  return Buffer.concat([len, e, n]);
}

/** The verifying key of a DNSKEY RDATA; throws DnssecKeyError for an algorithm rotor does not know or a bad key. */
export function dnskeyPublicKey(dnskey: Buffer): KeyObject {
  if (dnskey.length < 5) throw new DnssecKeyError('DNSKEY data is shorter than 5 octets');
  const algorithm = dnskey[3]!;
  const key = dnskey.subarray(4);
  let jwk: JsonWebKey;
  if (algorithm === Algorithm.ED25519) {
    if (key.length !== 32) throw new DnssecKeyError(`an Ed25519 public key is 32 octets, not ${key.length}`);
    jwk = { kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') };
  } else if (algorithm === Algorithm.ECDSAP256SHA256) {
    if (key.length !== 64) throw new DnssecKeyError(`an ECDSA P-256 public key is 64 octets, not ${key.length}`);
    jwk = { kty: 'EC', crv: 'P-256', x: key.subarray(0, 32).toString('base64url'), y: key.subarray(32).toString('base64url') };
  } else if (algorithm === Algorithm.RSASHA256) {
    // The exponent length is one octet, or a zero octet and two (RFC 3110 §2).
    const long = key[0] === 0;
    const at = long ? 3 : 1;
    if (key.length < at) throw new DnssecKeyError('the RSA public key ends early');
    const elen = long ? key.readUInt16BE(1) : key[0]!;
    if (key.length < at + elen + 1) throw new DnssecKeyError('the RSA public key ends early');
    jwk = { kty: 'RSA', e: key.subarray(at, at + elen).toString('base64url'), n: key.subarray(at + elen).toString('base64url') };
  } else {
    throw new DnssecKeyError(`DNSSEC algorithm ${algorithm} is not supported (8, 13 and 15 are)`);
  }
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (e) {
    throw new DnssecKeyError(`bad public key for algorithm ${algorithm}: ${(e as Error).message}`);
  }
}

/** The key tag of DNSKEY RDATA (RFC 4034 Appendix B; algorithm 1's other rule is not needed here). */
export function keyTag(dnskey: Buffer): number {
  let ac = 0;
  for (let i = 0; i < dnskey.length; i++) ac += i & 1 ? dnskey[i]! : dnskey[i]! << 8;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}

/** DS RDATA for a DNSKEY (RFC 4034 §5.1.4): the digest of the owner's canonical name and the DNSKEY RDATA. */
export function dsRData(owner: Name, dnskey: Buffer, digestType: DigestType = DigestType.SHA256): Buffer {
  const digest = createHash(DIGEST_HASH[digestType]).update(canonicalName(owner)).update(dnskey).digest();
  const head = Buffer.alloc(4);
  head.writeUInt16BE(keyTag(dnskey), 0);
  head[2] = dnskey[3]!;
  head[3] = digestType;
  return Buffer.concat([head, digest]);
}
