// The authoritative answer algorithm of RFC 1034 §4.3.2, with RFC 2308 negative
// answers, RFC 4592 wildcards and RFC 8482 ANY, as a few small steps in the
// manner of Knot DNS's internet.c: walk to the name (stopping at a delegation),
// put the answer or the negative proof, then the additional records.
//
// A pure function of its input: the zone is found by the caller (query
// processing), the RRsets come out in the zone's base order (rotation is the
// next stage, rotation.ts), and nothing in the zone is written to. What the
// answer is — its kind, rcode, AA, whether glue is owed — is said in the
// outcome, so that nobody reads it back out of the encoded bytes.
import type { Name } from '../wire/name.js';
import { Rcode, RRType } from '../wire/types.js';
import { additionalName, hasAdditional, targetOf } from '../rrtypes/registry.js';
import { soaMinimum } from '../rrtypes/soa.js';
import type { RRset, Zone, ZoneNode } from '../zone/zone.js';

/**
 * Everything the answer depends on. A field added here is part of the answer
 * memo's key or the memo does not compile (src/query/memo.ts, KEYED).
 */
export interface AnswerInput {
  zone: Zone;
  qname: Name;
  qtype: number;
  /** The DO bit (RFC 3225): carried to the answer step, where DNSSEC records will depend on it. */
  dnssecOk: boolean;
  /** RFC 8482: over UDP, ANY gets one RRset ('one'); over TCP, all of them ('all'). */
  any: 'one' | 'all';
}

/**
 * What kind of answer it is: data at the name ('answer'), data reached through
 * CNAMEs ('cname', whatever ends the chain), data of a wildcard synthesised for
 * the name ('wildcard'), no data of that type ('nodata'), no such name
 * ('nxdomain'), or a delegation to a child zone ('referral').
 */
export type AnswerKind = 'answer' | 'cname' | 'wildcard' | 'nodata' | 'nxdomain' | 'referral';

/** An RRset as written into an answer (owner and TTL as the answer puts them), with the zone's RRset it came from. */
export interface AnsweredRRset {
  owner: Name;
  type: number;
  ttl: number;
  rdata: RRset['rdata'];
  set: RRset;
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
   * The wildcard the query name was synthesised from (RFC 4592), if it was:
   * response rate limiting counts such answers against the wildcard, not
   * against each of the endless names it answers for.
   */
  wildcard?: Name;
}

/** Most CNAMEs in one answer: a longer chain inside one zone is cut there. */
const MAX_CHAIN = 16;

const ADDRESS_TYPES = [RRType.A, RRType.AAAA] as const;

// The few ways the answer reads a zone, so that a new zone representation
// changes these and not the algorithm.

/** The node owning data at `name`, if any. */
function nodeAt(zone: Zone, name: Name): ZoneNode | undefined {
  return zone.nodes.get(name.key);
}

/** Whether `key` exists in the zone: an owner, or an empty non-terminal above one. */
function exists(zone: Zone, key: string): boolean {
  return zone.names.has(key);
}

function rrsetAt(node: ZoneNode, type: number): RRset | undefined {
  return node.rrsets.get(type);
}

function rrsetsAt(node: ZoneNode): RRset[] {
  return [...node.rrsets.values()];
}

class Responder {
  readonly out: Answer;
  /** Owners whose A/AAAA we may add to the additional section. */
  private readonly wanted: { name: Name; glue: boolean }[] = [];
  private readonly written = new Set<RRset>();

  constructor(readonly zone: Zone) {
    this.out = { kind: 'answer', rcode: Rcode.NOERROR, aa: true, zone, answer: [], authority: [], additional: [], referral: false };
  }

  private emit(section: AnsweredRRset[], set: RRset, owner: Name = set.owner, ttl: number = set.ttl): void {
    this.written.add(set);
    section.push({ owner, type: set.type, ttl, rdata: set.rdata, set });
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

  /** RFC 2308 §3: the zone's SOA, with the TTL capped by its MINIMUM field. */
  putNegative(rcode: number): void {
    this.out.rcode = rcode;
    this.out.kind = rcode === Rcode.NXDOMAIN ? 'nxdomain' : 'nodata';
    const soa = this.zone.soa;
    this.emit(this.out.authority, soa, soa.owner, Math.min(soa.ttl, soaMinimum(soa.rdata[0]!)));
  }

  /** A referral: the child's NS in authority, their addresses (glue) in additional, AA off. */
  putDelegation(cut: ZoneNode): void {
    const ns = rrsetAt(cut, RRType.NS)!;
    this.emit(this.out.authority, ns);
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
      if (!glue && this.zone.findCut(name)) continue; // occluded below a delegation
      const node = nodeAt(this.zone, name);
      if (!node) continue;
      for (const type of ADDRESS_TYPES) {
        const set = rrsetAt(node, type);
        if (set && !this.written.has(set)) this.emit(this.out.additional, set);
      }
    }
  }
}

/**
 * RFC 4592 §3.3.1: the wildcard below the closest encloser of a name that does
 * not exist. A wildcard that is itself an empty non-terminal matches with no data.
 */
function findWildcard(zone: Zone, name: Name): ZoneNode | undefined {
  const depth = name.labels.length - zone.origin.labels.length;
  for (let i = 1; i <= depth; i++) {
    const encloser = name.suffixKey(i);
    if (!exists(zone, encloser)) continue;
    const key = encloser === '.' ? '*.' : '*.' + encloser;
    if (!exists(zone, key)) return undefined;
    return zone.nodes.get(key) ?? { name: name.strip(i).prepend('*'), rrsets: new Map() };
  }
  return undefined;
}

/** Answers an IN-class query for a name inside `input.zone`. */
export function answer(input: AnswerInput): Answer {
  const { zone, qname, qtype } = input;
  const r = new Responder(zone);
  let name = qname;
  const visited = new Set<string>();

  for (;;) {
    visited.add(name.key);
    const cut = zone.findCut(name);
    // A DS query at a delegation point is answered by the parent side (RFC 4035 §3.1.4.1).
    if (cut && !(qtype === RRType.DS && cut.name.equals(name))) {
      r.putDelegation(cut);
      break;
    }
    let node = nodeAt(zone, name);
    if (!node && !exists(zone, name.key)) {
      node = findWildcard(zone, name);
      // A CNAME target met later is a fixed name, already counted by the query name.
      if (node && name === qname) r.out.wildcard = node.name;
    }
    if (!node) {
      r.putNegative(exists(zone, name.key) ? Rcode.NOERROR : Rcode.NXDOMAIN);
      break;
    }
    const cname = rrsetAt(node, RRType.CNAME);
    if (cname && qtype !== RRType.CNAME && qtype !== RRType.ANY) {
      // Checked before writing, so that a chain of exactly MAX_CHAIN is followed to its end.
      if (visited.size > MAX_CHAIN) break;
      r.putAnswer(cname, name);
      const target = targetOf(RRType.CNAME, cname.rdata[0]!);
      // Out-of-zone targets, loops and chains longer than MAX_CHAIN are left to the resolver.
      if (!target || !target.isSubdomainOf(zone.origin) || visited.has(target.key)) break;
      name = target;
      continue;
    }
    if (qtype === RRType.ANY) {
      const sets = rrsetsAt(node);
      if (sets.length === 0) r.putNegative(Rcode.NOERROR);
      for (const set of input.any === 'all' ? sets : sets.slice(0, 1)) r.putAnswer(set, name);
      break;
    }
    const set = rrsetAt(node, qtype);
    if (set) r.putAnswer(set, name);
    else r.putNegative(Rcode.NOERROR);
    break;
  }
  r.putAdditional();
  const out = r.out;
  // A positive answer says how it was reached; a negative one or a referral said so as it was put.
  if (out.kind === 'answer') {
    if (out.answer[0]?.type === RRType.CNAME && qtype !== RRType.CNAME && qtype !== RRType.ANY) out.kind = 'cname';
    else if (out.wildcard) out.kind = 'wildcard';
  }
  return out;
}
