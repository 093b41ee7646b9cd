// What a zone's `dnssec:` settings say (rotor.yaml, globally or per zone), and
// the keys in force for a zone at a moment: the two inputs of the signer.
import type { Algorithm, SigningKey } from './keys.js';

export interface Nsec3Settings {
  /** Extra hash iterations: 0 by default (RFC 9276 §3.1). */
  iterations: number;
  /** Empty by default (RFC 9276 §3.1). */
  salt: Buffer;
  optOut: boolean;
}

export interface DnssecPolicy {
  algorithm: Algorithm;
  /** One combined signing key, or a key-signing key and a zone-signing key. */
  keys: 'csk' | 'ksk+zsk';
  denial: 'nsec' | 'nsec3';
  nsec3: Nsec3Settings;
  /** How long a new signature is valid, in seconds. */
  signatureValidity: number;
  /** A signature is made again once it has less than this left, in seconds. */
  refresh: number;
  /** The TTL of the DNSKEY, CDS and CDNSKEY RRsets, in seconds: what a rollover waits for before a new key signs. */
  dnskeyTtl: number;
  /** Where the zone's keys are kept (BIND's K<zone>+<alg>+<tag>.key/.private). */
  keyDirectory: string;
}

/** The keys that stand for a zone at one moment, from its key directory and their timings. */
export interface ZoneKeys {
  /** Every key in the DNSKEY RRset now: active ones and those published ahead of use or still retiring. */
  published: SigningKey[];
  /** The keys that sign the DNSKEY, CDS and CDNSKEY RRsets (the KSKs, or the CSK). */
  keySigning: SigningKey[];
  /** The keys that sign every other RRset (the ZSKs, or the CSK). */
  zoneSigning: SigningKey[];
  /** The keys whose CDS and CDNSKEY the apex publishes (RFC 7344, RFC 8078): the active key-signing keys. */
  cds: SigningKey[];
}
