// The zone signer: an unsigned ZoneVersion, the keys in force and the policy
// give a signed version (DNSKEY, CDS and CDNSKEY at the apex, the NSEC or NSEC3
// chain, an RRSIG per signing key over every authoritative RRset), as BIND's
// dnssec-policy and Knot's automatic signing make it. With the last signed
// version, what did not change keeps its signatures: one walk of both versions
// in canonical order (a merge), no map of records. The signatures themselves are
// made on the signing threads (signing-pool.ts), in batches, while this thread
// walks on.
import { base32hex } from '../rrtypes/nsec3.js';
import { soaMinimum } from '../rrtypes/soa.js';
import { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import { compareKeys, keyWire } from '../zone/canonical.js';
import { bytes, type Column } from '../zone/columns.js';
import type { RecordPositions, SourcePos } from '../zone/records.js';
import { VersionBuilder, type Built } from '../zone/version-builder.js';
import { NodeFlag, type ZoneVersion } from '../zone/version.js';
import { canonicalName } from './canonical.js';
import { DigestType, dsRData, type SigningKey } from './keys.js';
import { inNsecChain, nsecRData } from './nsec-chain.js';
import { HASH_LENGTH, nsec3Chain, nsec3ParamRData, nsec3RData } from './nsec3-chain.js';
import type { DnssecPolicy, ZoneKeys } from './policy.js';
import { labelsOf, rrsigHead } from './rrsig.js';
import { signingPool, type BatchKey, type SigningPool } from './signing-pool.js';

/** The record types the signer makes, and leaves out of the zone it is given (decision 4 of issue 15). */
export const SIGNER_TYPES: ReadonlySet<number> = new Set([
  RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY, RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM,
]);

/** The types signed by the key-signing keys (RFC 7344 §4.1 for CDS and CDNSKEY, as BIND does); the zone-signing keys sign the rest. */
const KEY_SIGNED: ReadonlySet<number> = new Set([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);

/** The DNSKEY, CDS and CDNSKEY TTL: BIND's dnssec-policy default (dnskey-ttl 1h). */
export const DNSKEY_TTL = 3600;

/** Signatures start this far back, for validators whose clocks are behind (BIND and Knot take an hour). */
export const INCEPTION_BACK = 3600;

/** Signatures per batch sent to a signing thread: enough to make a message worth it, few enough to spread a zone over every thread. */
const BATCH_SIGNATURES = 2048;

export interface SignOptions {
  pool?: SigningPool;
  /** Where the unsigned version's records were written: the signed version's copies keep those positions. */
  positions?: RecordPositions;
  /** The file named in the signed version's positions for what the signer adds. */
  file?: string;
  /** The jitter's source, in [0, 1). */
  random?: () => number;
}

export interface Signed extends Built {
  /** When the first signature needs making again (its expiration less `refresh`), in seconds since 1970. */
  refreshAt: number;
  /** Signatures made, and kept from the previous version. */
  made: number;
  kept: number;
  /** Records of the unsigned version the signer owns (SIGNER_TYPES), left out. */
  leftOut: number;
}

/** The signed version of `unsigned`; `previous` is the last signed version of the zone, whose still-good signatures are kept. */
export async function signVersion(unsigned: ZoneVersion, keys: ZoneKeys, policy: DnssecPolicy, now: number, previous?: ZoneVersion): Promise<ZoneVersion> {
  return (await signZone(unsigned, keys, policy, now, previous)).version;
}

/** signVersion, with the signed version's positions, its counts and when it needs signing again. */
export function signZone(unsigned: ZoneVersion, keys: ZoneKeys, policy: DnssecPolicy, now: number, previous?: ZoneVersion, options: SignOptions = {}): Promise<Signed> {
  return new ZoneSigner(unsigned, keys, policy, Math.floor(now), previous, options).run();
}

/** A signature to be made, kept until it comes back. */
interface Pending {
  owner: Name;
  ttl: number;
  head: Buffer;
}

class ZoneSigner {
  private readonly builder: VersionBuilder;
  private readonly pool: SigningPool;
  private readonly random: () => number;
  private readonly added: SourcePos;
  /** Every signing key, as the batches name them (by index). */
  private readonly signingKeys: SigningKey[];
  private readonly batchKeys: BatchKey[];
  private readonly originCanonical: Buffer;
  private readonly hasRecords: Uint8Array;
  private batch: Column<Uint8Array> = bytes(1 << 16);
  private pending: Pending[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private made = 0;
  private kept = 0;
  private leftOut = 0;
  private earliest = Infinity;
  private readonly scratch = new Uint8Array(256);

  constructor(
    private readonly unsigned: ZoneVersion,
    private readonly keys: ZoneKeys,
    private readonly policy: DnssecPolicy,
    private readonly now: number,
    private readonly previous: ZoneVersion | undefined,
    private readonly options: SignOptions,
  ) {
    this.pool = options.pool ?? signingPool();
    this.random = options.random ?? Math.random;
    this.added = { file: options.file ?? '', line: 1, col: 1 };
    this.signingKeys = [...new Set([...keys.keySigning, ...keys.zoneSigning])];
    this.batchKeys = this.signingKeys.map((k) => ({ algorithm: k.algorithm, privateKey: k.privateKey }));
    this.originCanonical = canonicalName(unsigned.origin);
    const { soa } = unsigned;
    this.builder = new VersionBuilder(unsigned.origin, this.added.file, { serial: unsigned.serial, ttl: soa.ttl }, unsigned.recordCount * 3 + 64);
    this.hasRecords = new Uint8Array(unsigned.nodeCount);
    // What a signed zone file brings of its own is left out: its NSEC3 chain, its signatures, its records of the signer's types.
    this.leftOut = unsigned.nsec3?.recordCount ?? 0;
    for (let n = 0; n < unsigned.nodeCount; n++) {
      const [s0, s1] = unsigned.setsOf(n);
      for (let s = s0; s < s1; s++) {
        const [g0, g1] = unsigned.signaturesOf(s);
        this.leftOut += g1 - g0;
        if (!SIGNER_TYPES.has(unsigned.setType(s))) this.hasRecords[n] = 1;
        else this.leftOut += unsigned.recordsOf(s)[1] - unsigned.recordsOf(s)[0];
      }
    }
  }

  async run(): Promise<Signed> {
    try {
      await this.walk();
      if (this.policy.denial === 'nsec3') await this.nsec3();
      await this.flush();
      await Promise.all(this.inFlight);
    } catch (e) {
      await Promise.allSettled(this.inFlight);
      throw e;
    }
    const built = this.builder.finish();
    const refreshAt = this.earliest === Infinity ? this.now + this.policy.signatureValidity - this.policy.refresh : this.earliest - this.policy.refresh;
    return { ...built, refreshAt, made: this.made, kept: this.kept, leftOut: this.leftOut };
  }

  /** The apex's RRsets the signer makes: DNSKEY, CDS and CDNSKEY (RFC 7344, RFC 8078) and NSEC3PARAM. */
  private apexSets(): { type: number; ttl: number; rdatas: Buffer[] }[] {
    const { origin } = this.unsigned;
    const sets: { type: number; ttl: number; rdatas: Buffer[] }[] = [{ type: RRType.DNSKEY, ttl: DNSKEY_TTL, rdatas: this.keys.published.map((k) => k.dnskey) }];
    if (this.keys.cds.length > 0) {
      sets.push({ type: RRType.CDS, ttl: DNSKEY_TTL, rdatas: this.keys.cds.map((k) => dsRData(origin, k.dnskey, DigestType.SHA256)) });
      sets.push({ type: RRType.CDNSKEY, ttl: DNSKEY_TTL, rdatas: this.keys.cds.map((k) => k.dnskey) });
    }
    if (this.policy.denial === 'nsec3') sets.push({ type: RRType.NSEC3PARAM, ttl: this.denialTtl, rdatas: [nsec3ParamRData(this.policy.nsec3)] });
    return sets;
  }

  /** NSEC and NSEC3 TTL: the lower of the SOA's TTL and its minimum (RFC 9077). */
  private get denialTtl(): number {
    const { soa } = this.unsigned;
    return Math.min(soa.ttl, soaMinimum(soa.rdata));
  }

  /** The main tree: each node's records, its NSEC, and the signatures of its authoritative RRsets. */
  private async walk(): Promise<void> {
    const u = this.unsigned;
    const prev = this.previous;
    const { keys, keyStart } = u.columns;
    const apexSets = this.apexSets();
    let p = 0;
    let next = -1;
    for (let n = 0; n < u.nodeCount; n++) {
      // The previous version's node of the same name, if it has one: both walk in canonical order.
      let prevNode = -1;
      if (prev) {
        const pk = prev.columns.keys;
        const ps = prev.columns.keyStart;
        let c = -1;
        while (p < prev.nodeCount && (c = compareKeys(pk, ps[p]!, ps[p + 1]!, keys, keyStart[n]!, keyStart[n + 1]!)) < 0) p++;
        if (p < prev.nodeCount && c === 0) prevNode = p;
      }
      if (!this.hasRecords[n]) continue;
      const owner = u.ownerName(n);
      const canonical = this.canonicalOwner(n);
      const flags = u.flags(n);
      const occluded = (flags & NodeFlag.OCCLUDED) !== 0;
      const cut = n > 0 && (flags & NodeFlag.DELEGATION) !== 0;
      const types: number[] = [];
      const [s0, s1] = u.setsOf(n);
      for (let s = s0; s < s1; s++) {
        const type = u.setType(s);
        if (SIGNER_TYPES.has(type)) continue;
        types.push(type);
        const [r0, r1] = u.recordsOf(s);
        const rdatas: Buffer[] = [];
        for (let r = r0; r < r1; r++) {
          rdatas.push(u.rdata(r));
          this.builder.add({ owner, type, ttl: u.setTtl(s), rdata: u.rdata(r) }, this.options.positions?.at(r) ?? this.added);
        }
        // Glue is not signed, nor the NS RRset of a cut (RFC 4035 §2.2): at a cut only DS (and NSEC) are the zone's.
        if (!occluded && (!cut || type === RRType.DS)) await this.signSet(owner, canonical, type, u.setTtl(s), rdatas, prev, prevNode);
      }
      if (n === 0) {
        for (const set of apexSets) {
          types.push(set.type);
          this.emit(owner, set.type, set.ttl, set.rdatas);
          await this.signSet(owner, canonical, set.type, set.ttl, set.rdatas, prev, prevNode);
        }
      }
      if (this.policy.denial !== 'nsec' || !inNsecChain(u, n, true)) continue;
      if (next <= n) {
        next = n + 1;
        while (next < u.nodeCount && !inNsecChain(u, next, this.hasRecords[next] === 1)) next++;
      }
      const nextOwner = this.scratch.subarray(0, u.ownerWire(next < u.nodeCount ? next : 0, this.scratch));
      const nsec = [nsecRData(nextOwner, types)];
      this.emit(owner, RRType.NSEC, this.denialTtl, nsec);
      await this.signSet(owner, canonical, RRType.NSEC, this.denialTtl, nsec, prev, prevNode);
    }
  }

  /** The NSEC3 chain, after the walk: the records of hashed owners, with their signatures. */
  private async nsec3(): Promise<void> {
    const u = this.unsigned;
    const settings = this.policy.nsec3;
    const chain = nsec3Chain(u, { hasRecords: (n) => this.hasRecords[n] === 1, canonicalOwner: (n, out) => this.canonicalOwnerInto(n, out) }, settings);
    const prev = this.previous?.nsec3;
    const originText = u.origin.toString();
    const apexTypes = this.apexSets().map((s) => s.type);
    const { order, hashes, nodes } = chain;
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      const next = order[(j + 1) % order.length]!;
      const label = base32hex(Buffer.from(hashes.buffer, i * HASH_LENGTH, HASH_LENGTH)).toLowerCase();
      const owner = Name.parse(originText === '.' ? `${label}.` : `${label}.${originText}`);
      const rdata = [nsec3RData(settings, hashes.subarray(next * HASH_LENGTH, (next + 1) * HASH_LENGTH), this.nsec3Types(nodes[i]!, apexTypes))];
      this.emit(owner, RRType.NSEC3, this.denialTtl, rdata);
      const canonical = Buffer.concat([Buffer.of(label.length), Buffer.from(label, 'latin1'), this.originCanonical]);
      await this.signSet(owner, canonical, RRType.NSEC3, this.denialTtl, rdata, prev, prev ? prev.find(owner) : -1);
    }
  }

  /** The types at an NSEC3's original owner: its records', and RRSIG where any of them is signed. */
  private nsec3Types(n: number, apexTypes: number[]): number[] {
    const u = this.unsigned;
    const types: number[] = [];
    const [s0, s1] = u.setsOf(n);
    for (let s = s0; s < s1; s++) if (!SIGNER_TYPES.has(u.setType(s))) types.push(u.setType(s));
    if (n === 0) types.push(...apexTypes);
    const cut = n > 0 && (u.flags(n) & NodeFlag.DELEGATION) !== 0;
    if (types.length > 0 && (!cut || types.includes(RRType.DS))) types.push(RRType.RRSIG);
    return types;
  }

  private emit(owner: Name, type: number, ttl: number, rdatas: Buffer[]): void {
    for (const rdata of rdatas) this.builder.add({ owner, type, ttl, rdata }, this.added);
  }

  /**
   * The signatures of one RRset: the previous version's, for a key that still
   * signs, while the RRset is the same and they have more than `refresh` left;
   * new ones for the other signing keys.
   */
  private async signSet(owner: Name, canonical: Buffer, type: number, ttl: number, rdatas: Buffer[], prev: ZoneVersion | undefined, prevNode: number): Promise<void> {
    const signers = KEY_SIGNED.has(type) ? this.keys.keySigning : this.keys.zoneSigning;
    const old = prev && prevNode >= 0 ? previousSignatures(prev, prevNode, type, ttl, rdatas) : [];
    for (const key of signers) {
      // RRSIG RDATA: algorithm at 2, expiration at 8, key tag at 16 (RFC 4034 §3.1).
      const keep = old.find((sig) => sig[2] === key.algorithm && sig.readUInt16BE(16) === key.tag && sig.readUInt32BE(8) - this.now > this.policy.refresh);
      if (keep) {
        this.builder.add({ owner, type: RRType.RRSIG, ttl, rdata: keep }, this.added);
        this.earliest = Math.min(this.earliest, keep.readUInt32BE(8));
        this.kept++;
        continue;
      }
      this.task(key, owner, canonical, type, ttl, rdatas);
      if (this.pending.length >= BATCH_SIGNATURES) await this.flush();
    }
  }

  /**
   * Expiration is jittered over the last part of the validity, between
   * `validity` and `validity - (validity - refresh) / 2` from now (14 and 10.5
   * days by default): the signatures of a large zone, made at once, fall due
   * for refreshing over days (3.5 by default) rather than in one moment.
   */
  private expiration(): number {
    const { signatureValidity, refresh } = this.policy;
    const spread = Math.max(0, Math.floor((signatureValidity - refresh) / 2));
    return this.now + signatureValidity - Math.floor(this.random() * spread);
  }

  private task(key: SigningKey, owner: Name, canonical: Buffer, type: number, ttl: number, rdatas: Buffer[]): void {
    const expiration = this.expiration();
    this.earliest = Math.min(this.earliest, expiration);
    const head = rrsigHead({ type, ttl }, key.algorithm, labelsOf(owner), { inception: this.now - INCEPTION_BACK, expiration }, key.tag, key.owner);
    const b = this.batch;
    b.push(this.signingKeys.indexOf(key));
    b.push(head.length >> 8);
    b.push(head.length & 0xff);
    b.append(head, 0, head.length);
    b.push(canonical.length);
    b.append(canonical, 0, canonical.length);
    b.push(rdatas.length >> 8);
    b.push(rdatas.length & 0xff);
    for (const rdata of rdatas) {
      b.push(rdata.length >> 8);
      b.push(rdata.length & 0xff);
      b.append(rdata, 0, rdata.length);
    }
    this.pending.push({ owner, ttl, head });
  }

  /** Sends the batch to a signing thread; waits while twice as many batches as threads are out. */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    const tasks = this.batch.finish();
    this.pending = [];
    this.batch = bytes(1 << 16);
    this.made += pending.length;
    this.inFlight.push(this.pool.sign(this.batchKeys, tasks).then((signatures) => {
      let at = 0;
      for (const { owner, ttl, head } of pending) {
        const length = signatures.readUInt16BE(at);
        const rdata = Buffer.concat([head, signatures.subarray(at + 2, at + 2 + length)]);
        at += 2 + length;
        this.builder.add({ owner, type: RRType.RRSIG, ttl, rdata }, this.added);
      }
    }));
    while (this.inFlight.length >= 2 * this.pool.size) await this.inFlight.shift();
  }

  private canonicalOwner(n: number): Buffer {
    return Buffer.from(this.scratch.subarray(0, this.canonicalOwnerInto(n, this.scratch)));
  }

  /** Node n's owner, lowercase, in wire form with the root octet: its key's labels, then the origin's. */
  private canonicalOwnerInto(n: number, out: Uint8Array): number {
    const { keys, keyStart } = this.unsigned.columns;
    const end = keyWire(keys, keyStart[n]!, keyStart[n + 1]!, out);
    out.set(this.originCanonical, end);
    return end + this.originCanonical.length;
  }
}

/**
 * The signatures over `type` at `node` of a previous version, when its RRset
 * there is the same as the one to sign now (TTL and records, in any order);
 * else none.
 */
function previousSignatures(v: ZoneVersion, node: number, type: number, ttl: number, rdatas: Buffer[]): Buffer[] {
  const set = v.rrset(node, type);
  if (set < 0 || v.setTtl(set) !== ttl) return [];
  const [r0, r1] = v.recordsOf(set);
  if (r1 - r0 !== rdatas.length) return [];
  if (rdatas.length === 1) {
    if (!v.rdata(r0).equals(rdatas[0]!)) return [];
  } else {
    const before: Buffer[] = [];
    for (let r = r0; r < r1; r++) before.push(v.rdata(r));
    before.sort(Buffer.compare);
    const now = [...rdatas].sort(Buffer.compare);
    if (before.some((b, i) => !b.equals(now[i]!))) return [];
  }
  const out: Buffer[] = [];
  const [g0, g1] = v.signaturesOf(set);
  for (let r = g0; r < g1; r++) out.push(v.rdata(r));
  return out;
}
