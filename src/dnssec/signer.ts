// The zone signer: an unsigned ZoneVersion, the keys in force and the policy
// give a signed version (DNSKEY, CDS and CDNSKEY at the apex, the NSEC or NSEC3
// chain, an RRSIG per signing key over every authoritative RRset), as BIND's
// dnssec-policy and Knot's automatic signing make it. With the last signed
// version, what did not change keeps its signatures: one walk of both versions
// in canonical order (a merge), no map of records. The signatures themselves are
// made on the signing threads (signing-pool.ts), in batches, while this thread
// walks on; once all are back, a second walk writes the version.
import { base32hex } from '../rrtypes/nsec3.js';
import { soaMinimum } from '../rrtypes/soa.js';
import { RRType } from '../wire/types.js';
import { compareKeys, keyWire } from '../zone/canonical.js';
import { bytes, u16s, u32s, type Column } from '../zone/columns.js';
import { RecordPositions } from '../zone/records.js';
import { Slices } from '../zone/slices.js';
import type { Built } from '../zone/version-builder.js';
import { VersionWriter } from '../zone/version-writer.js';
import { NodeFlag, type ZoneVersion } from '../zone/version.js';
import { canonicalName } from './canonical.js';
import { DigestType, dsRData, type SigningKey } from './keys.js';
import { inNsecChain, nsecRData } from './nsec-chain.js';
import { HASH_LENGTH, nsec3Chain, nsec3ParamRData, nsec3RData, type Nsec3Chain } from './nsec3-chain.js';
import type { DnssecPolicy, ZoneKeys } from './policy.js';
import { rrsigHead } from './rrsig.js';
import { signingPool, type BatchKey } from './signing-pool.js';

/** The record types the signer makes, and leaves out of the zone it is given (decision 4 of issue 15). */
export const SIGNER_TYPES: ReadonlySet<number> = new Set([
  RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY, RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM,
]);

/** The types signed by the key-signing keys (RFC 7344 §4.1 for CDS and CDNSKEY, as BIND does); the zone-signing keys sign the rest. */
const KEY_SIGNED: ReadonlySet<number> = new Set([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);

/** Signatures start this far back, for validators whose clocks are behind (BIND and Knot take an hour). */
export const INCEPTION_BACK = 3600;

/** Signatures per batch sent to a signing thread: enough to make a message worth it, few enough to spread a zone over every thread. */
const BATCH_SIGNATURES = 2048;

export interface SignOptions {
  /** Where the unsigned version's records were written: the signed version's copies keep those positions. */
  positions?: RecordPositions;
  /** The file named in the signed version's positions for what the signer adds. */
  file?: string;
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
export async function signZone(unsigned: ZoneVersion, keys: ZoneKeys, policy: DnssecPolicy, now: number, previous?: ZoneVersion, options: SignOptions = {}): Promise<Signed> {
  return new ZoneSigner(unsigned, keys, policy, Math.floor(now), previous, options).run();
}

/** An RRset of the signed version, as both passes of the signer see it. */
interface OutSet {
  /** The node of the unsigned version, or -1 for an NSEC3 owner (then `key` is its key). */
  node: number;
  key?: Uint8Array;
  type: number;
  ttl: number;
  rdatas: Buffer[];
  /** The unsigned version's first record, when the records are copied from it (their positions go along). */
  from: number;
  sign: boolean;
}

/** Where the signed version's records come from, for its positions: the unsigned version's record, or the signer. */
const ADDED = -1;

/**
 * Two passes over the RRsets of the signed version, both in canonical order.
 * The first decides each RRset's signatures (kept from the previous version,
 * or made: sent in batches to the signing threads); the second, once every
 * signature is back, writes the version node by node with VersionWriter, each
 * RRset's signatures in its slot, the NSEC3 chain in the companion. Nothing is
 * sorted and no object is kept per record but the signatures themselves.
 */
class ZoneSigner {
  private readonly pool = signingPool();
  /** Every signing key, as the batches name them (by index). */
  private readonly signingKeys: SigningKey[];
  private readonly batchKeys: BatchKey[];
  private readonly originCanonical: Buffer;
  private readonly hasRecords: Uint8Array;
  private readonly apex: { type: number; ttl: number; rdatas: Buffer[] }[];
  private chain: Nsec3Chain | undefined;
  private batch: Column<Uint8Array> = bytes(1 << 16);
  private batchHeads: Buffer[] = [];
  /** The signatures of each signed RRset in order: a kept one's RDATA, or the index of one being made. */
  private readonly plan: (Buffer | number)[] = [];
  /** How many of `plan` each signed RRset has. */
  private readonly planCounts: number[] = [];
  /** The signatures made, by index. */
  private readonly made: Buffer[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private kept = 0;
  private leftOut = 0;
  private earliest = Infinity;
  private readonly scratch = new Uint8Array(256);
  /** Both passes let queries in every few milliseconds: the walk of a large zone is seconds of work on the serving thread. */
  private readonly slices = new Slices();
  private steps = 0;

  constructor(
    private readonly unsigned: ZoneVersion,
    private readonly keys: ZoneKeys,
    private readonly policy: DnssecPolicy,
    private readonly now: number,
    private readonly previous: ZoneVersion | undefined,
    private readonly options: SignOptions,
  ) {
    if (keys.published.length === 0 || keys.keySigning.length === 0 || keys.zoneSigning.length === 0) {
      throw new Error(`no keys to sign ${unsigned.origin} with (published ${keys.published.length}, key-signing ${keys.keySigning.length}, zone-signing ${keys.zoneSigning.length})`);
    }
    this.signingKeys = [...new Set([...keys.keySigning, ...keys.zoneSigning])];
    this.batchKeys = this.signingKeys.map((k) => ({ algorithm: k.algorithm, privateKey: k.privateKey }));
    this.originCanonical = canonicalName(unsigned.origin);
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
    this.apex = this.apexSets();
  }

  async run(): Promise<Signed> {
    try {
      await this.decide();
      await this.flush();
      await Promise.all(this.inFlight);
    } catch (e) {
      await Promise.allSettled(this.inFlight);
      throw e;
    }
    const signed = await this.write();
    const refreshAt = this.earliest === Infinity ? this.now + this.policy.signatureValidity - this.policy.refresh : this.earliest - this.policy.refresh;
    return { ...signed, diagnostics: [], refreshAt, made: this.made.length, kept: this.kept, leftOut: this.leftOut };
  }

  /** The apex's RRsets the signer makes: DNSKEY, CDS and CDNSKEY (RFC 7344, RFC 8078) and NSEC3PARAM. */
  private apexSets(): { type: number; ttl: number; rdatas: Buffer[] }[] {
    const { origin } = this.unsigned;
    const sets: { type: number; ttl: number; rdatas: Buffer[] }[] = [{ type: RRType.DNSKEY, ttl: this.policy.dnskeyTtl, rdatas: this.keys.published.map((k) => k.dnskey) }];
    if (this.keys.cds.length > 0) {
      sets.push({ type: RRType.CDS, ttl: this.policy.dnskeyTtl, rdatas: this.keys.cds.map((k) => dsRData(origin, k.dnskey, DigestType.SHA256)) });
      sets.push({ type: RRType.CDNSKEY, ttl: this.policy.dnskeyTtl, rdatas: this.keys.cds.map((k) => k.dnskey) });
    }
    if (this.policy.denial === 'nsec3') sets.push({ type: RRType.NSEC3PARAM, ttl: this.denialTtl, rdatas: [nsec3ParamRData(this.policy.nsec3)] });
    return sets;
  }

  /** NSEC and NSEC3 TTL: the lower of the SOA's TTL and its minimum (RFC 9077). */
  private get denialTtl(): number {
    const { soa } = this.unsigned;
    return Math.min(soa.ttl, soaMinimum(soa.rdata));
  }

  /** The main tree's RRsets: each node's records, the signer's at the apex, its NSEC; whether each is signed. */
  private *mainSets(): Generator<OutSet> {
    const u = this.unsigned;
    let next = -1;
    for (let n = 0; n < u.nodeCount; n++) {
      if (!this.hasRecords[n]) continue;
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
        for (let r = r0; r < r1; r++) rdatas.push(u.rdata(r));
        // Glue is not signed, nor the NS RRset of a cut (RFC 4035 §2.2): at a cut only DS (and NSEC) are the zone's.
        yield { node: n, type, ttl: u.setTtl(s), rdatas, from: r0, sign: !occluded && (!cut || type === RRType.DS) };
      }
      if (n === 0) {
        for (const set of this.apex) {
          types.push(set.type);
          yield { node: n, ...set, from: ADDED, sign: true };
        }
      }
      if (this.policy.denial !== 'nsec' || !inNsecChain(u, n, true)) continue;
      if (next <= n) {
        next = n + 1;
        while (next < u.nodeCount && !inNsecChain(u, next, this.hasRecords[next] === 1)) next++;
      }
      const nextOwner = this.scratch.subarray(0, u.ownerWire(next < u.nodeCount ? next : 0, this.scratch));
      yield { node: n, type: RRType.NSEC, ttl: this.denialTtl, rdatas: [nsecRData(nextOwner, types)], from: ADDED, sign: true };
    }
  }

  /** The NSEC3 chain's RRsets, in hash order: each hashed owner's key (its one label) and its record. */
  private *nsec3Sets(chain: Nsec3Chain): Generator<OutSet> {
    const apexTypes = this.apex.map((s) => s.type);
    const { order, hashes, nodes } = chain;
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      const next = order[(j + 1) % order.length]!;
      const label = base32hex(Buffer.from(hashes.buffer, i * HASH_LENGTH, HASH_LENGTH)).toLowerCase();
      // A key is the label's octets (lowercase already, none of them 0 or 1) and its end.
      const key = Buffer.concat([Buffer.from(label, 'latin1'), Buffer.of(0)]);
      const rdata = nsec3RData(this.policy.nsec3, hashes.subarray(next * HASH_LENGTH, (next + 1) * HASH_LENGTH), this.nsec3Types(nodes[i]!, apexTypes));
      yield { node: -1, key, type: RRType.NSEC3, ttl: this.denialTtl, rdatas: [rdata], from: ADDED, sign: true };
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

  /** Every 64 RRsets: a pause for queries, once the slice is spent. */
  private pause(): Promise<void> | undefined {
    return (++this.steps & 63) === 0 ? this.slices.pause() : undefined;
  }

  /** The first pass: each signed RRset's signatures, kept or sent to be made. */
  private async decide(): Promise<void> {
    const u = this.unsigned;
    const prev = this.previous;
    const { keys, keyStart } = u.columns;
    let p = 0;
    let node = -1;
    let prevNode = -1;
    let canonical = Buffer.alloc(0);
    let labels = 0;
    for (const set of this.mainSets()) {
      const wait = this.pause();
      if (wait) await wait;
      if (!set.sign) continue;
      if (set.node !== node) {
        node = set.node;
        // The previous version's node of the same name, if it has one: both walk in canonical order.
        prevNode = -1;
        if (prev) {
          const pk = prev.columns.keys;
          const ps = prev.columns.keyStart;
          let c = -1;
          while (p < prev.nodeCount && (c = compareKeys(pk, ps[p]!, ps[p + 1]!, keys, keyStart[node]!, keyStart[node + 1]!)) < 0) p++;
          if (p < prev.nodeCount && c === 0) prevNode = p;
        }
        canonical = Buffer.from(this.scratch.subarray(0, this.canonicalOwnerInto(node, this.scratch)));
        labels = this.labels(node);
      }
      await this.signSet(set, canonical, labels, prev, prevNode);
    }
    if (this.policy.denial !== 'nsec3') return;
    this.chain = await nsec3Chain(u, { hasRecords: (n) => this.hasRecords[n] === 1, canonicalOwner: (n, out) => this.canonicalOwnerInto(n, out) }, this.policy.nsec3, () => this.pause());
    const chain = prev?.nsec3;
    let q = 0;
    for (const set of this.nsec3Sets(this.chain)) {
      const wait = this.pause();
      if (wait) await wait;
      const key = set.key!;
      let found = -1;
      if (chain) {
        const { keys: ck, keyStart: cs } = chain.columns;
        let c = -1;
        while (q < chain.nodeCount && (c = compareKeys(ck, cs[q]!, cs[q + 1]!, key, 0, key.length)) < 0) q++;
        if (q < chain.nodeCount && c === 0) found = q;
      }
      const label = key.subarray(0, key.length - 1);
      const ownerCanonical = Buffer.concat([Buffer.of(label.length), label, this.originCanonical]);
      await this.signSet(set, ownerCanonical, u.origin.labelCount + 1, chain, found);
    }
  }

  /** RRSIG's labels field for node n: the labels below the apex (one 0 octet ends each in the key), the origin's, not a leading `*`. */
  private labels(n: number): number {
    const { keys, keyStart } = this.unsigned.columns;
    let count = this.unsigned.origin.labelCount;
    for (let i = keyStart[n]!; i < keyStart[n + 1]!; i++) if (keys[i] === 0) count++;
    return (this.unsigned.flags(n) & NodeFlag.WILDCARD) !== 0 ? count - 1 : count;
  }

  /**
   * The signatures of one RRset: the previous version's, for a key that still
   * signs, while the RRset is the same and they have more than `refresh` left;
   * new ones for the other signing keys.
   */
  private async signSet(set: OutSet, canonical: Buffer, labels: number, prev: ZoneVersion | undefined, prevNode: number): Promise<void> {
    const signers = KEY_SIGNED.has(set.type) ? this.keys.keySigning : this.keys.zoneSigning;
    const old = prev && prevNode >= 0 ? previousSignatures(prev, prevNode, set.type, set.ttl, set.rdatas) : [];
    this.planCounts.push(signers.length);
    for (const key of signers) {
      // RRSIG RDATA: algorithm at 2, expiration at 8, key tag at 16 (RFC 4034 §3.1).
      const keep = old.find((sig) => sig[2] === key.algorithm && sig.readUInt16BE(16) === key.tag && sig.readUInt32BE(8) - this.now > this.policy.refresh);
      if (keep) {
        this.plan.push(keep);
        this.earliest = Math.min(this.earliest, keep.readUInt32BE(8));
        this.kept++;
        continue;
      }
      this.plan.push(this.made.length + this.batchHeads.length);
      this.task(key, canonical, labels, set);
      if (this.batchHeads.length >= BATCH_SIGNATURES) await this.flush();
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
    return this.now + signatureValidity - Math.floor(Math.random() * spread);
  }

  private task(key: SigningKey, canonical: Buffer, labels: number, set: OutSet): void {
    const expiration = this.expiration();
    this.earliest = Math.min(this.earliest, expiration);
    const head = rrsigHead(set, key.algorithm, labels, { inception: this.now - INCEPTION_BACK, expiration }, key.tag, key.owner);
    const b = this.batch;
    b.push(this.signingKeys.indexOf(key));
    b.push(head.length >> 8);
    b.push(head.length & 0xff);
    b.append(head, 0, head.length);
    b.push(canonical.length);
    b.append(canonical, 0, canonical.length);
    b.push(set.rdatas.length >> 8);
    b.push(set.rdatas.length & 0xff);
    for (const rdata of set.rdatas) {
      b.push(rdata.length >> 8);
      b.push(rdata.length & 0xff);
      b.append(rdata, 0, rdata.length);
    }
    this.batchHeads.push(head);
  }

  /** Sends the batch to a signing thread; waits while twice as many batches as threads are out. */
  private async flush(): Promise<void> {
    if (this.batchHeads.length === 0) return;
    const heads = this.batchHeads;
    const first = this.made.length;
    const tasks = this.batch.finish();
    this.batchHeads = [];
    this.batch = bytes(1 << 16);
    this.made.length += heads.length;
    this.inFlight.push(this.pool.sign(this.batchKeys, tasks).then((signatures) => {
      let at = 0;
      heads.forEach((head, i) => {
        const length = signatures.readUInt16BE(at);
        this.made[first + i] = Buffer.concat([head, signatures.subarray(at + 2, at + 2 + length)]);
        at += 2 + length;
      });
    }));
    while (this.inFlight.length >= 2 * this.pool.size) await this.inFlight.shift();
  }

  /** The second pass: the version, written in canonical order with every signature in its RRset's slot. */
  private async write(): Promise<Omit<Built, 'diagnostics'>> {
    const u = this.unsigned;
    const { keys, keyStart, cases, caseStart } = u.columns;
    const records = u.recordCount + this.plan.length * 2 + 64;
    const writer = new VersionWriter(u.origin, {
      nodes: u.nodeCount + 16, sets: u.columns.setType.length * 2 + 16, records,
      keyBytes: keys.length + 16, caseBytes: cases.length + 16, dataBytes: u.columns.data.length * 2 + this.plan.length * 120,
    });
    const positions = new PositionsWriter(this.options.positions, this.options.file ?? '', records);
    let plan = 0;
    let counts = 0;
    const out = (w: VersionWriter, set: OutSet) => {
      w.set(set.type, set.ttl);
      set.rdatas.forEach((rdata, i) => {
        w.record(rdata);
        positions.push(set.from === ADDED ? ADDED : set.from + i);
      });
      if (!set.sign) return;
      w.signatures();
      for (let k = this.planCounts[counts++]!; k > 0; k--) {
        const ref = this.plan[plan++]!;
        w.record(typeof ref === 'number' ? this.made[ref]! : ref);
        positions.push(ADDED);
      }
    };
    let node = -1;
    for (const set of this.mainSets()) {
      const wait = this.pause();
      if (wait) await wait;
      if (set.node !== node) {
        node = set.node;
        const c0 = caseStart[node]!;
        const c1 = caseStart[node + 1]!;
        writer.node(keys, keyStart[node]!, keyStart[node + 1]!, c1 > c0 ? cases.subarray(c0, c1) : undefined);
      }
      out(writer, set);
    }
    let chain: ZoneVersion | undefined;
    if (this.policy.denial === 'nsec3') {
      const companion = new VersionWriter(u.origin);
      companion.node(keys, 0, 0);
      for (const set of this.nsec3Sets(this.chain!)) {
        const wait = this.pause();
        if (wait) await wait;
        companion.node(set.key!, 0, set.key!.length);
        out(companion, set);
      }
      chain = companion.finish();
    }
    const version = writer.finish(chain);
    return { version, positions: positions.finish(), written: this.writtenNodes(version) };
  }

  /** The nodes with records, in canonical order (the apex first): the order a signed zone is written out in. */
  private writtenNodes(v: ZoneVersion): Uint32Array {
    const out = u32s(v.nodeCount);
    for (let n = 0; n < v.nodeCount; n++) if (v.setsOf(n)[1] > v.setsOf(n)[0]) out.push(n);
    return out.finish();
  }

  /** Node n's owner, lowercase, in wire form with the root octet: its key's labels, then the origin's. */
  private canonicalOwnerInto(n: number, out: Uint8Array): number {
    const { keys, keyStart } = this.unsigned.columns;
    const end = keyWire(keys, keyStart[n]!, keyStart[n + 1]!, out);
    out.set(this.originCanonical, end);
    return end + this.originCanonical.length;
  }
}

/** The positions of the signed version's records: a copied record's where it was written, the signer's at line 1 of the file. */
class PositionsWriter {
  private readonly files: string[];
  private readonly file: Column<Uint16Array>;
  private readonly line: Column<Uint32Array>;
  private readonly col: Column<Uint32Array>;
  private readonly added: number;

  constructor(private readonly from: RecordPositions | undefined, file: string, expected: number) {
    this.files = [...(from?.files ?? []), file];
    this.added = this.files.length - 1;
    this.file = u16s(expected);
    this.line = u32s(expected);
    this.col = u32s(expected);
  }

  push(record: number): void {
    const copied = record !== ADDED && this.from !== undefined;
    this.file.push(copied ? this.from!.file[record]! : this.added);
    this.line.push(copied ? this.from!.line[record]! : 1);
    this.col.push(copied ? this.from!.col[record]! : 1);
  }

  finish(): RecordPositions {
    return new RecordPositions(this.files, this.file.finish(), this.line.finish(), this.col.finish());
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
