// ALIAS (octoDNS, PowerDNS, Route 53's apex flattening): an A or AAAA question
// at an ALIAS owner is answered with the target's addresses under the owner's
// name. answer() says so with an 'alias' outcome and stays pure; this step
// finds the addresses — in rotor's own zones through the same answer path
// (CNAMEs, DNAMEs and further ALIASes followed, a bounded number of times),
// otherwise through the forwarder's upstreams and its cache — and the TTL is
// the smallest on the way (the ALIAS's, every link's, the addresses').
//
// As PowerDNS and Route 53 users expect: a target with no such name or no
// addresses of the type gives NODATA at the owner (the name exists, it has no
// such data), and a target that cannot be looked up (no upstream answered,
// none configured, a loop) gives SERVFAIL with an Extended DNS Error saying
// why — never an empty answer that resolvers would cache as the truth.
import { answer, negativeSoa, type Answer, type AnswerInput } from '../authority/answer.js';
import type { Placed, Rotatable, Sections } from '../authority/rotation.js';
import type { Catalog } from '../lifecycle/catalog.js';
import { targetOf } from '../rrtypes/registry.js';
import type { Name } from '../wire/name.js';
import { Rcode, RRType } from '../wire/types.js';
import { EdeCode, type ExtendedError } from './ednsopts.js';

/** The records of one type a name has, as an ALIAS copies them. */
export interface Addresses {
  /** None for NXDOMAIN or NODATA. */
  rdata: readonly Buffer[];
  /** The RRset whose rotation counter they share. */
  set?: Rotatable;
  /** The smallest TTL on the way to them, in seconds. */
  ttl: number;
}

/** Where names outside rotor's zones are looked up: the forwarder. Undefined: no upstream answered. */
export interface AddressLookup {
  lookup(name: Name, type: number): Promise<Addresses | undefined>;
}

export type AliasResult = { addresses: Addresses } | { error: ExtendedError };

/** ALIAS → ALIAS/CNAME hops followed across rotor's zones before giving up. */
const MAX_HOPS = 8;

/** The addresses for an 'alias' outcome of answer(); `input` is the question that led to it. */
export function aliasAddresses(first: Answer, input: AnswerInput, catalog: Catalog, upstream?: AddressLookup): AliasResult | Promise<AliasResult> {
  let ttl = Infinity;
  let result = first;
  /** The name `result` answers for. */
  let current = input.qname;
  const start = first.alias!.set.owner;
  const visited = new Set<string>();
  for (let hop = 0; ; hop++) {
    ttl = Math.min(ttl, ...result.answer.map((s) => s.ttl));
    // The name to look up next: the ALIAS's target, or where a CNAME chain left rotor's zones.
    let next: Name;
    if (result.kind === 'alias') {
      ttl = Math.min(ttl, result.alias!.set.ttl);
      next = targetOf(RRType.ALIAS, result.alias!.set.rdata[0]!)!;
    } else {
      const found = result.answer.find((s) => s.type === input.qtype);
      if (found) return { addresses: { rdata: found.rdata, set: found.set, ttl: Math.min(ttl, found.ttl) } };
      if (result.kind === 'nodata' || result.rcode !== Rcode.NOERROR) return { addresses: { rdata: [], ttl } };
      const last = result.answer.at(-1);
      const onward = last && targetOf(last.type, last.rdata[0]!);
      // A delegation away from rotor: the rest is the upstreams' to say.
      if (result.kind === 'referral') return forward(onward ?? current, ttl);
      if (!onward) return { addresses: { rdata: [], ttl } };
      next = onward;
    }
    if (hop >= MAX_HOPS || visited.has(next.key)) return { error: { code: EdeCode.OTHER, text: `ALIAS at ${start}: the chain to its addresses loops or is longer than ${MAX_HOPS}` } };
    visited.add(next.key);
    const zone = catalog.find(next);
    if (!zone) return forward(next, ttl);
    result = answer({ ...input, zone, qname: next });
    current = next;
  }

  function forward(name: Name, ttl: number): AliasResult | Promise<AliasResult> {
    if (!upstream) return { error: { code: EdeCode.OTHER, text: `ALIAS at ${start}: ${name} is outside the served zones and forward.upstreams is not set` } };
    return upstream.lookup(name, input.qtype).then((found): AliasResult => found
      ? { addresses: { ...found, ttl: Math.min(ttl, found.ttl) } }
      : { error: { code: EdeCode.NO_REACHABLE_AUTHORITY, text: `ALIAS at ${start}: no upstream answered for ${name}` } });
  }
}

/**
 * The sections of the answer: what led to the ALIAS owner (CNAMEs), then the
 * addresses under the owner's name; or, without addresses, NODATA with the
 * zone's SOA (RFC 2308).
 */
export function aliasSections(result: Answer, qtype: number, found: Addresses): Sections<Placed> {
  const { owner } = result.alias!;
  if (found.rdata.length === 0) return { answer: result.answer, authority: [negativeSoa(result.zone)], additional: [] };
  const set = found.set ?? result.alias!.set;
  return { answer: [...result.answer, { owner, type: qtype, ttl: found.ttl, rdata: found.rdata as Buffer[], set }], authority: [], additional: [] };
}
