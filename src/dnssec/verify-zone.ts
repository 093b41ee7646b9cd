// A signed zone checked as BIND's dnssec-verify checks it, for `rotor check`:
// every authoritative RRset signed by an apex DNSKEY of each algorithm the
// DNSKEY set uses, every signature good and valid now, the DNSKEY set signed by
// a key with the SEP bit (a warning, as dnssec-verify -z), and a whole NSEC or
// NSEC3 chain. It reads the version in memory, one pass over its nodes (and
// one hashing of its names for NSEC3).
import { readName, type Name } from '../wire/name.js';
import { RRClass, RRType, typeName } from '../wire/types.js';
import { keyWire } from '../zone/canonical.js';
import type { Diagnostic } from '../zone/errors.js';
import type { RecordPositions, SourcePos } from '../zone/records.js';
import { NodeFlag, type ZoneVersion } from '../zone/version.js';
import { bitmapTypes } from '../rrtypes/fields.js';
import { base32hex } from '../rrtypes/nsec3.js';
import { canonicalName } from './canonical.js';
import { dnskeyPublicKey, keyTag } from './keys.js';
import { HASH_LENGTH, nsec3Chain, OPT_OUT } from './nsec3-chain.js';
import { typeBitmap } from './nsec3-hash.js';
import { rrsigFields, verifyRRset, type RrsigFields } from './rrsig.js';

/** The SEP flag of a DNSKEY (RFC 4034 §2.1.1). */
const SEP = 1;

/** Where the zone came from: its file, and the positions its builder kept (main tree's records, then the companion's). */
export interface VerifySource {
  file: string;
  positions?: RecordPositions;
}

/**
 * The findings of dnssec-verify on `version` at `now` (seconds since 1970), or
 * none when its apex has no DNSKEY RRset (an unsigned zone).
 */
export async function verifyZone(version: ZoneVersion, source: VerifySource, now: number): Promise<Diagnostic[]> {
  const dnskeySet = version.rrset(0, RRType.DNSKEY);
  if (dnskeySet < 0) return [];
  const out: Diagnostic[] = [];
  const mainRecords = version.columns.dataStart.length - 1;
  const posOf = (record: number | undefined): SourcePos => {
    const p = source.positions;
    if (record === undefined || !p || record >= p.line.length) return { file: source.file, line: 1, col: 1 };
    return p.at(record);
  };
  const report = (record: number | undefined, message: string, severity: Diagnostic['severity'] = 'error') => out.push({ pos: posOf(record), severity, message });

  const [k0, k1] = version.recordsOf(dnskeySet);
  const keys: Buffer[] = [];
  for (let r = k0; r < k1; r++) keys.push(version.rdata(r));
  const algorithms = new Set(keys.map((k) => k[3]!));
  const tags = keys.map((k) => keyTag(k));
  // Made once: a KeyObject costs more to make than a verification (a bad key is reported by verifyRRset).
  const publicKeys = keys.map((k) => {
    try {
      return dnskeyPublicKey(k);
    } catch {
      return undefined;
    }
  });

  /** Checks the signatures of `set` of `v` (main tree or companion, records numbered from `base`); returns the keys whose signatures verify. */
  const verifySet = (v: ZoneVersion, node: number, set: number, base: number): Buffer[] => {
    const owner = v.ownerName(node);
    const type = v.setType(set);
    const what = `${typeName(type)} at ${owner}`;
    const [r0, r1] = v.recordsOf(set);
    const rdatas: Buffer[] = [];
    for (let r = r0; r < r1; r++) rdatas.push(v.rdata(r));
    const rrset = { owner, type, class: RRClass.IN, ttl: v.setTtl(set), rdatas };
    const good: Buffer[] = [];
    const covered = new Set<number>();
    const [s0, s1] = v.signaturesOf(set);
    for (let r = s0; r < s1; r++) {
      const sig = v.rdata(r);
      let fields: RrsigFields;
      try {
        fields = rrsigFields(sig);
      } catch (e) {
        report(base + r, `RRSIG over ${what} is malformed: ${(e as Error).message}`);
        continue;
      }
      // Signatures by keys that are not in the apex DNSKEY set prove nothing, and dnssec-verify passes over them.
      if (!fields.signer.equals(version.origin)) continue;
      let why: string | undefined;
      let key: Buffer | undefined;
      for (let i = 0; i < keys.length && !key; i++) {
        if (tags[i] !== fields.keyTag || keys[i]![3] !== fields.algorithm) continue;
        why = verifyRRset(rrset, sig, keys[i]!, publicKeys[i]);
        if (why === undefined) key = keys[i];
      }
      if (!key && why === undefined) continue;
      if (!key) {
        report(base + r, `RRSIG over ${what} by key ${fields.keyTag} (algorithm ${fields.algorithm}) does not verify: ${why}`);
        continue;
      }
      // RFC 4034 §3.1.5: serial number arithmetic on 32 bits.
      if (((fields.expiration - now) | 0) < 0) report(base + r, `RRSIG over ${what} by key ${fields.keyTag} expired at ${isoTime(fields.expiration)}`);
      else if (((now - fields.inception) | 0) < 0) report(base + r, `RRSIG over ${what} by key ${fields.keyTag} is not valid before ${isoTime(fields.inception)}`);
      else {
        covered.add(fields.algorithm);
        good.push(key);
      }
    }
    for (const alg of algorithms) {
      if (!covered.has(alg)) report(base + (r0 < r1 ? r0 : s0), `${what} has no valid signature by a key of algorithm ${alg} of the apex DNSKEY set`);
    }
    return good;
  };

  // The RRsets: all authoritative ones are signed; glue and the NS at a cut are not (RFC 4035 §2.2).
  for (let n = 0; n < version.nodeCount; n++) {
    const flags = version.flags(n);
    if (flags & NodeFlag.OCCLUDED) continue;
    const cut = n > 0 && (flags & NodeFlag.DELEGATION) !== 0;
    const [s0, s1] = version.setsOf(n);
    for (let s = s0; s < s1; s++) {
      const type = version.setType(s);
      if (cut && type !== RRType.DS && type !== RRType.NSEC) continue;
      const good = verifySet(version, n, s, 0);
      if (s === dnskeySet && !good.some((k) => (k.readUInt16BE(0) & SEP) !== 0)) {
        report(version.recordsOf(s)[0], `the DNSKEY RRset is not signed by a key with the SEP bit (a KSK)`, 'warning');
      }
    }
  }

  const param = version.rrset(0, RRType.NSEC3PARAM);
  if (param >= 0) await verifyNsec3(version, param, report, verifySet, mainRecords);
  else verifyNsec(version, report);
  return out;
}

type Report = (record: number | undefined, message: string) => void;

function isoTime(seconds: number): string {
  return new Date((seconds >>> 0) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The node's first record (its position stands for the node), or undefined for an empty one. */
function firstRecord(version: ZoneVersion, node: number): number | undefined {
  const [s0, s1] = version.setsOf(node);
  return s0 < s1 ? version.recordsOf(s0)[0] : undefined;
}

/** Whether the node is a name of the zone's data (NSEC and NSEC3 themselves aside). */
function hasData(version: ZoneVersion, node: number): boolean {
  const [s0, s1] = version.setsOf(node);
  for (let s = s0; s < s1; s++) if (version.setType(s) !== RRType.NSEC) return true;
  return false;
}

/** The NSEC chain (RFC 4035 §2.3): each name with records, not below a cut, links to the next; its bitmap is the name's types. */
function verifyNsec(version: ZoneVersion, report: Report): void {
  for (let n = 0; n < version.nodeCount; n++) {
    const flags = version.flags(n);
    if (flags & (NodeFlag.EMPTY | NodeFlag.OCCLUDED) || !hasData(version, n)) continue;
    const owner = version.ownerName(n);
    const set = version.rrset(n, RRType.NSEC);
    if (set < 0) {
      report(firstRecord(version, n), `${owner} has no NSEC record: the NSEC chain is broken there`);
      continue;
    }
    let next = n;
    do next = version.nextName(next);
    while (next !== 0 && !hasData(version, next));
    const want = version.ownerName(next);
    const [r0, r1] = version.recordsOf(set);
    if (r1 - r0 !== 1) report(r0, `${owner} has ${r1 - r0} NSEC records, not one`);
    const rdata = version.rdata(r0);
    let got: { name: Name; end: number };
    try {
      got = readName(rdata, 0);
    } catch (e) {
      report(r0, `NSEC at ${owner} is malformed: ${(e as Error).message}`);
      continue;
    }
    if (!got.name.equals(want)) report(r0, `NSEC at ${owner} points to ${got.name}, but the next name in the zone is ${want}`);
    const types = typesAt(version, n, true);
    if (!rdata.subarray(got.end).equals(typeBitmap(types))) report(r0, `NSEC at ${owner} lists types ${bitmapText(rdata.subarray(got.end))}, but the name has ${types.map(typeName).join(' ')}`);
  }
}

/** The types at a node as its NSEC or NSEC3 bitmap must list them: its RRsets, and RRSIG when any of them is signed. */
function typesAt(version: ZoneVersion, node: number, nsec: boolean): number[] {
  const types = new Set<number>();
  const cut = node > 0 && (version.flags(node) & NodeFlag.DELEGATION) !== 0;
  const [s0, s1] = version.setsOf(node);
  for (let s = s0; s < s1; s++) {
    const type = version.setType(s);
    types.add(type);
    if (!cut || type === RRType.DS || type === RRType.NSEC) types.add(RRType.RRSIG);
  }
  if (nsec) types.add(RRType.NSEC).add(RRType.RRSIG);
  return [...types].sort((a, b) => a - b);
}

function bitmapText(bitmap: Buffer): string {
  return bitmapTypes(bitmap).map(typeName).join(' ') || '(none)';
}

/**
 * The NSEC3 chain (RFC 5155 §7.1): the hash of each name the chain needs
 * (nsec3Chain's choice, opt-out as the chain's records say) owns an NSEC3 with
 * the NSEC3PARAM's parameters, the next hash in order and the name's types.
 */
async function verifyNsec3(
  version: ZoneVersion,
  param: number,
  report: Report,
  verifySet: (v: ZoneVersion, node: number, set: number, base: number) => Buffer[],
  base: number,
): Promise<void> {
  const paramRecord = version.recordsOf(param)[0];
  const head = version.rdata(paramRecord);
  const companion = version.nsec3;
  if (!companion) {
    report(paramRecord, 'the zone has an NSEC3PARAM record but no NSEC3 chain');
    return;
  }
  const salt = Buffer.from(head.subarray(5, 5 + head[4]!));
  const iterations = head.readUInt16BE(2);
  // Opt-out is a property of the chain's records, not of NSEC3PARAM (whose flags are 0).
  let optOut = false;
  for (let n = 1; n < companion.nodeCount; n++) {
    const s = companion.rrset(n, RRType.NSEC3);
    if (s >= 0) {
      optOut = (companion.rdata(companion.recordsOf(s)[0])[1]! & OPT_OUT) !== 0;
      break;
    }
  }
  const originCanonical = canonicalName(version.origin);
  const { keys, keyStart } = version.columns;
  const chain = await nsec3Chain(version, {
    hasRecords: (n) => hasData(version, n),
    canonicalOwner: (n, out) => {
      const end = keyWire(keys, keyStart[n]!, keyStart[n + 1]!, out);
      out.set(originCanonical, end);
      return end + originCanonical.length;
    },
  }, { salt, iterations, optOut });

  const hashOf = (slot: number) => Buffer.from(chain.hashes.subarray(slot * HASH_LENGTH, (slot + 1) * HASH_LENGTH));
  const seen = new Uint8Array(companion.nodeCount);
  const total = chain.order.length;
  for (let i = 0; i < total; i++) {
    const slot = chain.order[i]!;
    const node = chain.nodes[slot]!;
    const owner = version.ownerName(node);
    const label = base32hex(hashOf(slot)).toLowerCase();
    const at = companion.find(version.origin.prepend(label));
    const set = at < 0 ? -1 : companion.rrset(at, RRType.NSEC3);
    if (set < 0) {
      report(firstRecord(version, node), `${owner} has no NSEC3 record (${label}): the NSEC3 chain is broken there`);
      continue;
    }
    seen[at] = 1;
    const r = companion.recordsOf(set)[0];
    const rdata = companion.rdata(r);
    const where = `NSEC3 ${label} (of ${owner})`;
    if (rdata[0] !== head[0] || rdata.readUInt16BE(2) !== iterations || !rdata.subarray(5, 5 + rdata[4]!).equals(salt)) {
      report(base + r, `${where} does not have the NSEC3PARAM's parameters (hash ${head[0]}, ${iterations} iterations, salt ${salt.toString('hex') || '-'})`);
      continue;
    }
    const at4 = 5 + rdata[4]!;
    const nextLength = rdata[at4]!;
    const next = rdata.subarray(at4 + 1, at4 + 1 + nextLength);
    const want = hashOf(chain.order[(i + 1) % total]!);
    if (!next.equals(want)) report(base + r, `${where} points to ${base32hex(Buffer.from(next)).toLowerCase()}, but the next hash in the chain is ${base32hex(want).toLowerCase()}`);
    const bitmap = rdata.subarray(at4 + 1 + nextLength);
    const types = typesAt(version, node, false);
    if (!bitmap.equals(typeBitmap(types))) report(base + r, `${where} lists types ${bitmapText(bitmap)}, but ${owner} has ${types.map(typeName).join(' ') || '(none)'}`);
  }
  // The chain's own records: signed, and none for a name the zone does not have.
  for (let n = 1; n < companion.nodeCount; n++) {
    const [s0, s1] = companion.setsOf(n);
    for (let s = s0; s < s1; s++) verifySet(companion, n, s, base);
    if (!seen[n] && s0 < s1) report(base + companion.recordsOf(s0)[0], `NSEC3 ${companion.ownerName(n)} is the hash of no name of the zone that the chain needs`);
  }
}
