// The authoritative answer algorithm of RFC 1034 §4.3.2, with RFC 2308 negative
// answers, RFC 4592 wildcards and RFC 8482 ANY, as a few small steps in the
// manner of Knot DNS's internet.c: find the zone, walk to the name (stopping at a
// delegation), put the answer or the negative proof, then the additional records.
import type { Name } from '../wire/name.js';
import type { RRsetOut } from '../message/response.js';
import { Rcode, RRType } from '../wire/types.js';
import { additionalName, hasAdditional, targetOf } from '../rrtypes/registry.js';
import { soaMinimum } from '../rrtypes/soa.js';
import type { RRset, Zone, ZoneNode } from '../zone/zone.js';
import type { Catalog } from './catalog.js';
import { nextTurn, type RotationPolicy } from './rotation.js';

export interface AnswerOptions {
  /** RFC 8482: over UDP, ANY gets one RRset; over TCP, all of them. */
  fullAny: boolean;
  policy: (zone: Zone, set: RRset) => RotationPolicy;
}

/** An RRset as written into an answer, with the zone's RRset it came from. */
export interface AnsweredRRset extends RRsetOut {
  set: RRset;
}

export interface Answer {
  rcode: number;
  aa: boolean;
  zone?: Zone;
  answer: AnsweredRRset[];
  authority: AnsweredRRset[];
  additional: AnsweredRRset[];
  /** The authority section is a referral: its glue must fit or TC is set. */
  referral: boolean;
  /**
   * How many steps the first rotating RRset of the answer section was turned
   * (cyclic: its counter mod its size; fixed: 0; random: undefined), for the query log.
   */
  rotation?: number;
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

class Responder {
  readonly out: Answer = { rcode: Rcode.NOERROR, aa: true, answer: [], authority: [], additional: [], referral: false };
  /** Owners whose A/AAAA we may add to the additional section. */
  private readonly wanted: { name: Name; glue: boolean }[] = [];
  private readonly written = new Set<RRset>();

  constructor(readonly zone: Zone, readonly opts: AnswerOptions) {
    this.out.zone = zone;
  }

  private emit(section: AnsweredRRset[], set: RRset, owner: Name = set.owner, ttl: number = set.ttl): void {
    this.written.add(set);
    if (set.rdata.length < 2) {
      section.push({ owner, type: set.type, ttl, rdata: set.rdata, set });
      return;
    }
    const turn = nextTurn(set, this.opts.policy(this.zone, set));
    if (section === this.out.answer && this.out.rotation === undefined) this.out.rotation = turn;
    // Turned as it is written: a set of 65,535 records is not copied to send the few that fit.
    section.push({ owner, type: set.type, ttl, rdata: set.rdata, turn: turn ?? 'random', set });
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
    const soa = this.zone.soa;
    this.emit(this.out.authority, soa, soa.owner, Math.min(soa.ttl, soaMinimum(soa.rdata[0]!)));
  }

  /** A referral: the child's NS in authority, their addresses (glue) in additional, AA off. */
  putDelegation(cut: ZoneNode): void {
    const ns = cut.rrsets.get(RRType.NS)!;
    this.emit(this.out.authority, ns);
    this.out.referral = true;
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
      const node = this.zone.nodes.get(name.key);
      if (!node) continue;
      for (const type of ADDRESS_TYPES) {
        const set = node.rrsets.get(type);
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
    if (!zone.names.has(encloser)) continue;
    const key = encloser === '.' ? '*.' : '*.' + encloser;
    if (!zone.names.has(key)) return undefined;
    return zone.nodes.get(key) ?? { name: name.strip(i).prepend('*'), rrsets: new Map() };
  }
  return undefined;
}

/** Answers an IN-class query. Returns undefined when no served zone contains the name. */
export function answer(catalog: Catalog, qname: Name, qtype: number, opts: AnswerOptions): Answer | undefined {
  const zone = catalog.find(qname);
  if (!zone) return undefined;
  const r = new Responder(zone, opts);
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
    let node = zone.nodes.get(name.key);
    if (!node && !zone.names.has(name.key)) {
      node = findWildcard(zone, name);
      // A CNAME target met later is a fixed name, already counted by the query name.
      if (node && name === qname) r.out.wildcard = node.name;
    }
    if (!node) {
      r.putNegative(zone.names.has(name.key) ? Rcode.NOERROR : Rcode.NXDOMAIN);
      break;
    }
    const cname = node.rrsets.get(RRType.CNAME);
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
      const sets = [...node.rrsets.values()];
      if (sets.length === 0) r.putNegative(Rcode.NOERROR);
      for (const set of opts.fullAny ? sets : sets.slice(0, 1)) r.putAnswer(set, name);
      break;
    }
    const set = node.rrsets.get(qtype);
    if (set) r.putAnswer(set, name);
    else r.putNegative(Rcode.NOERROR);
    break;
  }
  r.putAdditional();
  return r.out;
}
