// The authoritative answer algorithm of RFC 1034 §4.3.2, with RFC 2308 negative
// answers, RFC 4592 wildcards, RFC 6672 DNAME and RFC 8482 ANY, as a few small
// steps in the manner of Knot DNS's internet.c: walk to the name (stopping at a
// delegation or renamed by a DNAME), put the answer or the negative proof, then
// the additional records.
//
// A pure function of its input: the zone is found by the caller (query
// processing), the RRsets come out in the zone's base order (rotation is the
// next stage, rotation.ts), and nothing in the zone is written to. What the
// answer is — its kind, rcode, AA, whether glue is owed — is said in the
// outcome, so that nobody reads it back out of the encoded bytes.
import { Name, NameError } from '../wire/name.js';
import { Rcode, RRType } from '../wire/types.js';
import { additionalName, hasAdditional, targetOf } from '../rrtypes/registry.js';
import { singleNameData } from '../rrtypes/single-name.js';
import { soaMinimum } from '../rrtypes/soa.js';
import type { Lookup } from '../zone/version.js';
import type { RRset, Zone } from '../zone/zone.js';
import { denialOf, isSigned, type Proof } from './denial.js';

/**
 * Everything the answer depends on. A field added here is part of the answer
 * memo's key or the memo does not compile (src/query/memo.ts, KEYED).
 */
export interface AnswerInput {
  zone: Zone;
  qname: Name;
  qtype: number;
  /** The DO bit (RFC 3225): a signed zone's answer then carries signatures and denial proofs (RFC 4035 §3.1). */
  dnssecOk: boolean;
  /** RFC 8482: over UDP, ANY gets one RRset ('one'); over TCP, all of them ('all'). */
  any: 'one' | 'all';
}

/**
 * What kind of answer it is: data at the name ('answer'), data reached through
 * CNAMEs ('cname', whatever ends the chain), data of a wildcard synthesised for
 * the name ('wildcard'), data reached through a DNAME's synthesised CNAME, or
 * YXDOMAIN where that name would be too long ('dname', RFC 6672), no data of
 * that type ('nodata'), no such name ('nxdomain'), a delegation to a child
 * zone ('referral'), or an A/AAAA question at an ALIAS, whose addresses are
 * the target's and are looked up by query processing ('alias', src/query/alias.ts).
 */
export type AnswerKind = 'answer' | 'cname' | 'wildcard' | 'dname' | 'nodata' | 'nxdomain' | 'referral' | 'alias';

/** An RRset as written into an answer (owner and TTL as the answer puts them), with the zone's RRset it came from. */
export interface AnsweredRRset {
  owner: Name;
  type: number;
  ttl: number;
  rdata: RRset['rdata'];
  set: RRset;
  /** The set's signatures (always set.signatures), when the answer carries them: DO=1, a signed zone. */
  signatures?: readonly Buffer[];
}

export interface Answer {
  kind: AnswerKind;
  rcode: number;
  aa: boolean;
  zone: Zone;
  answer: AnsweredRRset[];
  authority: AnsweredRRset[];
  additional: AnsweredRRset[];
  /** The authority section is a referral: its glue must fit or TC is set. */
  referral: boolean;
  /**
   * The wildcard (RFC 4592) or the DNAME's owner (RFC 6672) the answer for the
   * query name was synthesised from, if it was: response rate limiting counts
   * such answers against it, not against each of the endless names it answers for.
   */
  wildcard?: Name;
  /**
   * For an 'alias' outcome: the ALIAS RRset and the name that owns the
   * addresses in the answer (the query name, or the end of a CNAME chain, which
   * is then in `answer` already).
   */
  alias?: { set: RRset; owner: Name };
}

/** Most CNAMEs in one answer: a longer chain inside one zone is cut there. */
const MAX_CHAIN = 16;

const ADDRESS_TYPES = [RRType.A, RRType.AAAA] as const;

/**
 * The DNAME owners of a zone (key → node), found on its first answer and kept
 * while the zone (a version, never written to) lives: most zones have none,
 * and their answers then skip the walk up the query name (it cost half again
 * the time of an answer).
 */
const dnameOwners = new WeakMap<Zone, ReadonlyMap<string, number>>();

function dnameOwnersOf(zone: Zone): ReadonlyMap<string, number> {
  let owners = dnameOwners.get(zone);
  if (!owners) {
    const found = new Map<string, number>();
    const { version } = zone;
    for (let n = 0; n < version.nodeCount; n++) if (version.rrset(n, RRType.DNAME) >= 0) found.set(version.ownerName(n).key, n);
    dnameOwners.set(zone, (owners = found));
  }
  return owners;
}

/**
 * The DNAME at the highest proper ancestor of `name` in the zone, apex included
 * (RFC 6672 §2.3: everything below a DNAME's owner is occluded by it, further
 * DNAMEs too).
 */
function dnameAbove(zone: Zone, name: Name): RRset | undefined {
  const owners = dnameOwnersOf(zone);
  if (owners.size === 0) return undefined;
  const depth = name.labelCount - zone.origin.labelCount;
  for (let i = depth; i >= 1; i--) {
    const node = owners.get(name.suffixKey(i));
    if (node !== undefined) return zone.rrset(node, RRType.DNAME);
  }
  return undefined;
}

/** RFC 2308 §3: the zone's SOA as a negative answer writes it, the TTL capped by its MINIMUM field. */
export function negativeSoa(zone: Zone): AnsweredRRset {
  const soa = zone.soa;
  return { owner: soa.owner, type: soa.type, ttl: Math.min(soa.ttl, soaMinimum(soa.rdata[0]!)), rdata: soa.rdata, set: soa };
}

class Responder {
  readonly out: Answer;
  /** Owners whose A/AAAA we may add to the additional section. */
  private readonly wanted: { name: Name; glue: boolean }[] = [];
  private readonly written = new Set<RRset>();
  /** What the denial records must prove, as met (DO=1 in a signed zone only). */
  private readonly proofs: Proof[] = [];

  /** @param dnssec DO=1 and the zone is signed: RRSIGs with every RRset, denial proofs */
  constructor(readonly zone: Zone, readonly dnssec: boolean) {
    this.out = { kind: 'answer', rcode: Rcode.NOERROR, aa: true, zone, answer: [], authority: [], additional: [], referral: false };
  }

  private emit(section: AnsweredRRset[], set: RRset, owner: Name = set.owner, ttl: number = set.ttl): void {
    this.written.add(set);
    const out: AnsweredRRset = { owner, type: set.type, ttl, rdata: set.rdata, set };
    if (this.dnssec && set.signatures.length > 0) out.signatures = set.signatures;
    section.push(out);
  }

  /** Notes what the denial records must prove (they are put last, see putProofs). */
  prove(kind: Proof['kind'], name: Name, at: Lookup): void {
    if (this.dnssec) this.proofs.push({ kind, name, at });
  }

  /** The NSEC or NSEC3 RRsets of every proof noted, with their signatures, after the rest of the authority section. */
  putProofs(): void {
    for (const proof of this.proofs) {
      for (const set of denialOf(this.zone, proof)) if (!this.written.has(set)) this.emit(this.out.authority, set);
    }
  }

  putAnswer(set: RRset, owner: Name): void {
    this.emit(this.out.answer, set, owner);
    if (hasAdditional(set.type)) {
      for (const rd of set.rdata) {
        const target = additionalName(set.type, rd);
        if (target) this.wanted.push({ name: target, glue: false });
      }
    }
  }

  /** Whether `set` is in the answer already: a DNAME met again in a chain is written once, as BIND and Knot write it. */
  wrote(set: RRset): boolean {
    return this.written.has(set);
  }

  /** RFC 6672 §3.1: the CNAME a DNAME makes for `name`, owned by it, with the DNAME's TTL. */
  putSynthesised(dname: RRset, name: Name, target: Name): void {
    const cname: RRset = { owner: name, type: RRType.CNAME, ttl: dname.ttl, rdata: [singleNameData(target)], signatures: [], pos: dname.pos };
    this.emit(this.out.answer, cname);
  }

  putNegative(rcode: number): void {
    this.out.rcode = rcode;
    this.out.kind = rcode === Rcode.NXDOMAIN ? 'nxdomain' : 'nodata';
    const soa = negativeSoa(this.zone);
    this.emit(this.out.authority, soa.set, soa.owner, soa.ttl);
  }

  /**
   * A referral: the child's NS in authority, their addresses (glue) in
   * additional, AA off. With DNSSEC, the DS set, or the proof that there is
   * none (RFC 4035 §3.1.4).
   */
  putDelegation(cut: number): void {
    const ns = this.zone.rrset(cut, RRType.NS)!;
    this.emit(this.out.authority, ns);
    if (this.dnssec) {
      const ds = this.zone.rrset(cut, RRType.DS);
      if (ds) this.emit(this.out.authority, ds);
      else {
        const name = this.zone.ownerName(cut);
        this.prove('no-ds', name, { node: cut, encloser: cut, cut, wildcard: -1 });
      }
    }
    this.out.referral = true;
    this.out.kind = 'referral';
    if (this.out.answer.length === 0) this.out.aa = false;
    for (const rd of ns.rdata) {
      const target = additionalName(RRType.NS, rd);
      if (target) this.wanted.push({ name: target, glue: true });
    }
  }

  /** In-zone addresses of the MX, SRV and NS targets, glue included for referrals. */
  putAdditional(): void {
    for (const { name, glue } of this.wanted) {
      if (!name.isSubdomainOf(this.zone.origin)) continue;
      if (!glue && (this.zone.findCut(name) >= 0 || dnameAbove(this.zone, name))) continue; // occluded below a delegation or a DNAME
      const node = this.zone.node(name);
      if (node < 0) continue;
      for (const type of ADDRESS_TYPES) {
        const set = this.zone.rrset(node, type);
        if (set && !this.written.has(set)) this.emit(this.out.additional, set);
      }
    }
  }
}

/**
 * RFC 6672 §2.2: `name` with the DNAME's owner replaced by its target, or
 * undefined when that is longer than 255 octets. The part of `name` that is
 * kept is lowercased, so that the answer is the same for every case of the
 * question (the memo's key is lowercase).
 */
function substitute(name: Name, dname: RRset): Name | undefined {
  const kept = Name.parse(name.key).labels.slice(0, name.labelCount - dname.owner.labelCount);
  try {
    return Name.fromLabels([...kept, ...targetOf(RRType.DNAME, dname.rdata[0]!)!.labels]);
  } catch (e) {
    if (e instanceof NameError) return undefined;
    throw e;
  }
}

/** Answers an IN-class query for a name inside `input.zone`. */
export function answer(input: AnswerInput): Answer {
  const { zone, qname, qtype } = input;
  const r = new Responder(zone, input.dnssecOk && isSigned(zone));
  let name = qname;
  const visited = new Set<string>();

  for (;;) {
    visited.add(name.key);
    // The node, the cut above and the wildcard (RFC 4592 §3.3.1) in one walk from the apex.
    const at = zone.lookup(name);
    const cut = at.cut;
    const dname = dnameAbove(zone, name);
    // Whichever is higher applies: a DNAME below a cut is the child's, a cut below a DNAME is occluded.
    if (dname && !(cut >= 0 && zone.ownerName(cut).labelCount <= dname.owner.labelCount)) {
      if (visited.size > MAX_CHAIN) break;
      if (!r.wrote(dname)) r.putAnswer(dname, dname.owner);
      r.out.kind = 'dname';
      if (name === qname) r.out.wildcard = dname.owner;
      const target = substitute(name, dname);
      if (!target) {
        r.out.rcode = Rcode.YXDOMAIN;
        break;
      }
      r.putSynthesised(dname, name, target);
      // As for a CNAME: a CNAME or ANY question is answered by it; other chains go on inside the zone.
      if (qtype === RRType.CNAME || qtype === RRType.ANY || !target.isSubdomainOf(zone.origin) || visited.has(target.key)) break;
      name = target;
      continue;
    }
    // A DS query at a delegation point is answered by the parent side (RFC 4035 §3.1.4.1).
    if (cut >= 0 && !(qtype === RRType.DS && cut === at.node)) {
      r.putDelegation(cut);
      break;
    }
    // A name that does not exist may be answered by a wildcard, which may itself be an empty non-terminal (no data).
    let node = at.node;
    if (node < 0) {
      node = at.wildcard;
      // A CNAME target met later is a fixed name, already counted by the query name.
      if (node >= 0 && name === qname) r.out.wildcard = zone.ownerName(node);
    }
    // Hashed owners are no names of the zone, but an NSEC3 question at one is answered with its NSEC3 set, as BIND answers it.
    const hashed = node < 0 && qtype === RRType.NSEC3 ? zone.nsec3At(name) : undefined;
    if (hashed) {
      r.putAnswer(hashed, name);
      break;
    }
    if (node < 0) {
      r.putNegative(Rcode.NXDOMAIN);
      r.prove('nxdomain', name, at);
      break;
    }
    const synthesised = node !== at.node;
    // A wildcard's NSEC is its own, never synthesised for the names it answers (RFC 4592 §4.4), nor its signatures.
    const own = (type: number) => !synthesised || type !== RRType.NSEC;
    // An RRSIG question is answered by the signatures at the name (each RRset's, under its TTL), as BIND answers it.
    const signatures = qtype === RRType.RRSIG ? zone.signaturesAt(node).filter((s) => own(s.rdata[0]!.readUInt16BE(0))) : [];
    const cname = zone.rrset(node, RRType.CNAME);
    if (cname && qtype !== RRType.CNAME && qtype !== RRType.ANY && signatures.length === 0) {
      // Checked before writing, so that a chain of exactly MAX_CHAIN is followed to its end.
      if (visited.size > MAX_CHAIN) break;
      r.putAnswer(cname, name);
      if (synthesised) r.prove('wildcard', name, at);
      const target = targetOf(RRType.CNAME, cname.rdata[0]!);
      // Out-of-zone targets, loops and chains longer than MAX_CHAIN are left to the resolver.
      if (!target || !target.isSubdomainOf(zone.origin) || visited.has(target.key)) break;
      name = target;
      continue;
    }
    if (qtype === RRType.ANY) {
      const sets = zone.rrsetsAt(node).filter((set) => own(set.type));
      if (sets.length === 0) r.putNegative(Rcode.NOERROR);
      for (const set of input.any === 'all' ? sets : sets.slice(0, 1)) r.putAnswer(set, name);
      if (sets.length === 0) r.prove(synthesised ? 'wildcard-nodata' : 'nodata', name, at);
      else if (synthesised) r.prove('wildcard', name, at);
      break;
    }
    if (signatures.length > 0) {
      for (const set of signatures) r.putAnswer(set, name);
      if (synthesised) r.prove('wildcard', name, at);
      break;
    }
    const set = zone.rrset(node, qtype);
    const alias = (qtype === RRType.A || qtype === RRType.AAAA) && !set ? zone.rrset(node, RRType.ALIAS) : undefined;
    if (set) {
      r.putAnswer(set, name);
      if (synthesised) r.prove('wildcard', name, at);
    } else if (alias) {
      // The addresses are the target's, which may be anywhere: query processing looks them up.
      r.out.kind = 'alias';
      r.out.alias = { set: alias, owner: name };
    } else {
      r.putNegative(Rcode.NOERROR);
      r.prove(synthesised ? 'wildcard-nodata' : 'nodata', name, at);
    }
    break;
  }
  r.putAdditional();
  r.putProofs();
  const out = r.out;
  // A positive answer says how it was reached; a negative one or a referral said so as it was put.
  if (out.kind === 'answer') {
    if (out.answer[0]?.type === RRType.CNAME && qtype !== RRType.CNAME && qtype !== RRType.ANY) out.kind = 'cname';
    else if (out.wildcard) out.kind = 'wildcard';
  }
  return out;
}
