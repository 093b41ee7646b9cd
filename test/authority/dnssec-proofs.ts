// Checks of a DNSSEC answer made independently of the answer's own code: every
// RRSIG verifies over the RRset it follows (src/dnssec/rrsig.ts), and the
// NSEC or NSEC3 records of the authority section prove what the answer claims,
// read field by field from their data and compared in canonical order (RFC
// 4034 §6.1) or by hash (RFC 5155). Used by the in-process answer tests and by
// the end-to-end test that asks rotor with dig.
import { nsec3Label } from '../../src/dnssec/nsec3-hash.js';
import { keyTag } from '../../src/dnssec/keys.js';
import { verifyRRset } from '../../src/dnssec/rrsig.js';
import { bitmapTypes } from '../../src/rrtypes/fields.js';
import { base32hex } from '../../src/rrtypes/nsec3.js';
import { readName, type Name } from '../../src/wire/name.js';
import { RRClass, RRType, typeName } from '../../src/wire/types.js';

/** An RRset as a response holds it, with the RRSIGs that followed it. */
export interface SignedSet {
  owner: Name;
  type: number;
  ttl: number;
  rdata: readonly Buffer[];
  signatures: readonly Buffer[];
}

/** Why a signature of `set` does not verify with one of `dnskeys`, or that it has none; [] when all verify. */
export function signatureFaults(set: SignedSet, dnskeys: readonly Buffer[]): string[] {
  if (set.signatures.length === 0) return [`${set.owner} ${typeName(set.type)}: no RRSIG`];
  const out: string[] = [];
  for (const sig of set.signatures) {
    const key = dnskeys.find((k) => keyTag(k) === sig.readUInt16BE(16));
    if (!key) {
      out.push(`${set.owner} ${typeName(set.type)}: no DNSKEY with tag ${sig.readUInt16BE(16)}`);
      continue;
    }
    const why = verifyRRset({ owner: set.owner, type: set.type, class: RRClass.IN, ttl: set.ttl, rdatas: set.rdata }, sig, key);
    if (why) out.push(`${set.owner} ${typeName(set.type)}: ${why}`);
  }
  return out;
}

/** RFC 4034 §6.1: negative, 0 or positive. */
export function canonicalCompare(a: Name, b: Name): number {
  const la = a.labels.map((l) => Buffer.from(l.toString('latin1').toLowerCase(), 'latin1')).reverse();
  const lb = b.labels.map((l) => Buffer.from(l.toString('latin1').toLowerCase(), 'latin1')).reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const c = Buffer.compare(la[i]!, lb[i]!);
    if (c !== 0) return c;
  }
  return la.length - lb.length;
}

/** What a set of denial records proves. */
export class Denials {
  private readonly nsecs: { owner: Name; next: Name; types: number[] }[] = [];
  private readonly nsec3s: { hash: string; next: string; types: number[]; optOut: boolean }[] = [];
  private params: { salt: Buffer; iterations: number } | undefined;

  constructor(private readonly origin: Name, sets: readonly SignedSet[]) {
    for (const s of sets) {
      for (const rd of s.rdata) {
        if (s.type === RRType.NSEC) {
          const { name, end } = readName(rd, 0);
          this.nsecs.push({ owner: s.owner, next: name, types: bitmapTypes(rd.subarray(end)) });
        } else if (s.type === RRType.NSEC3) {
          const saltLength = rd[4]!;
          const hashAt = 5 + saltLength + 1;
          const hashLength = rd[5 + saltLength]!;
          this.params = { salt: rd.subarray(5, 5 + saltLength), iterations: rd.readUInt16BE(2) };
          this.nsec3s.push({
            hash: s.owner.labels[0]!.toString('latin1').toLowerCase(), next: base32hex(rd.subarray(hashAt, hashAt + hashLength)).toLowerCase(),
            types: bitmapTypes(rd.subarray(hashAt + hashLength)), optOut: (rd[1]! & 1) === 1,
          });
        }
      }
    }
  }

  get kind(): 'nsec' | 'nsec3' | 'none' {
    return this.nsecs.length > 0 ? 'nsec' : this.nsec3s.length > 0 ? 'nsec3' : 'none';
  }

  // --- NSEC

  /** An NSEC whose owner is `name`: its types. */
  nsecAt(name: Name): number[] | undefined {
    return this.nsecs.find((n) => canonicalCompare(n.owner, name) === 0)?.types;
  }

  /** Some NSEC covers `name` (owner < name < next, the last one wrapping to the apex). */
  nsecCovers(name: Name): boolean {
    return this.nsecs.some((n) => canonicalCompare(n.owner, name) < 0 &&
      (canonicalCompare(name, n.next) < 0 || canonicalCompare(n.next, this.origin) === 0));
  }

  // --- NSEC3

  private hash(name: Name): string {
    return nsec3Label(name, this.params!.salt, this.params!.iterations);
  }

  /** An NSEC3 whose owner is the hash of `name`: its types. */
  nsec3At(name: Name): number[] | undefined {
    const h = this.hash(name);
    return this.nsec3s.find((n) => n.hash === h)?.types;
  }

  /** The NSEC3 that covers the hash of `name`, if one does (base32hex keeps the order of the octets). */
  nsec3Covering(name: Name): { optOut: boolean } | undefined {
    const h = this.hash(name);
    return this.nsec3s.find((n) => (n.hash < n.next ? n.hash < h && h < n.next : h > n.hash || h < n.next));
  }

  /** RFC 5155 §7.2.1: `encloser` matched and the next closer name of `name` covered. */
  closestEncloser(name: Name, encloser: Name): string | undefined {
    if (!this.nsec3At(encloser)) return `no NSEC3 matches the closest encloser ${encloser}`;
    const nextCloser = name.strip(name.labelCount - encloser.labelCount - 1);
    if (!this.nsec3Covering(nextCloser)) return `no NSEC3 covers the next closer name ${nextCloser}`;
    return undefined;
  }

  /** What is missing for the proof that `name` does not exist and `*.<encloser>` neither; undefined when it is proven. */
  nxdomain(name: Name, encloser: Name): string | undefined {
    const wildcard = encloser.prepend('*');
    if (this.kind === 'nsec') {
      if (!this.nsecCovers(name)) return `no NSEC covers ${name}`;
      if (!this.nsecCovers(wildcard)) return `no NSEC covers ${wildcard}`;
      return undefined;
    }
    if (this.kind === 'nsec3') return this.closestEncloser(name, encloser) ?? (this.nsec3Covering(wildcard) ? undefined : `no NSEC3 covers ${wildcard}`);
    return 'no denial records';
  }

  /** That `name` exists without `type` (an empty non-terminal when `ent`). */
  nodata(name: Name, type: number, ent = false): string | undefined {
    const types = this.kind === 'nsec' ? this.nsecAt(name) : this.kind === 'nsec3' ? this.nsec3At(name) : undefined;
    if (!types) {
      if (ent && this.kind === 'nsec' && this.nsecCovers(name)) return undefined;
      return `no ${this.kind} record at ${name}`;
    }
    if (types.includes(type) || types.includes(RRType.CNAME)) return `the bitmap at ${name} has ${typeName(type)} or CNAME`;
    return undefined;
  }

  /** That no name closer than the wildcard `*.<encloser>` matches `name` (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6). */
  wildcard(name: Name, encloser: Name): string | undefined {
    if (this.kind === 'nsec') return this.nsecCovers(name) ? undefined : `no NSEC covers ${name}`;
    const nextCloser = name.strip(name.labelCount - encloser.labelCount - 1);
    if (this.kind === 'nsec3') return this.nsec3Covering(nextCloser) ? undefined : `no NSEC3 covers ${nextCloser}`;
    return 'no denial records';
  }

  /** That `name` does not exist and the wildcard `*.<encloser>` has no `type`. */
  wildcardNodata(name: Name, encloser: Name, type: number): string | undefined {
    const wildcard = encloser.prepend('*');
    if (this.kind === 'nsec3') return this.closestEncloser(name, encloser) ?? this.nodata(wildcard, type);
    return this.wildcard(name, encloser) ?? this.nodata(wildcard, type);
  }

  /** That the delegation at `cut` has no DS: its bitmap has NS and no DS, or (NSEC3 opt-out) a covering opt-out NSEC3. */
  noDs(cut: Name): string | undefined {
    const types = this.kind === 'nsec' ? this.nsecAt(cut) : this.kind === 'nsec3' ? this.nsec3At(cut) : undefined;
    if (types) return types.includes(RRType.NS) && !types.includes(RRType.DS) ? undefined : `the bitmap at ${cut} does not say NS without DS`;
    if (this.kind !== 'nsec3') return `no ${this.kind} record at ${cut}`;
    for (let encloser = cut.parent(); encloser.labelCount >= this.origin.labelCount; encloser = encloser.parent()) {
      if (!this.nsec3At(encloser)) continue;
      const covering = this.nsec3Covering(cut.strip(cut.labelCount - encloser.labelCount - 1));
      return covering?.optOut ? undefined : `no opt-out NSEC3 covers the next closer name of ${cut}`;
    }
    return `no closest provable encloser of ${cut}`;
  }
}
