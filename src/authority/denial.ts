// The authenticated denials of a signed zone's answers: which NSEC (RFC 4035
// §3.1.3) or NSEC3 (RFC 5155 §7.2) RRsets prove that a name does not exist,
// that it has no data of the type asked, that a wildcard answered because no
// closer name exists, or that a delegation has no DS. The records are the
// zone's own (a pre-signed file's, or the signer's): nothing is made here but
// the NSEC3 hash of the names asked about.
import { nsec3Label } from '../dnssec/nsec3-hash.js';
import { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { Lookup } from '../zone/version.js';
import type { RRset, Zone } from '../zone/zone.js';

/**
 * What a negative or synthesised answer must prove, as the answer met it:
 * 'nxdomain': `name` does not exist, nor a wildcard that would answer for it;
 * 'nodata': `name` (node `at.node`, maybe an empty non-terminal) has no data of the type;
 * 'wildcard': the wildcard of `at` answered for `name`, no closer name exists;
 * 'wildcard-nodata': that, and the wildcard has no data of the type;
 * 'no-ds': the delegation at `name` (node `at.node`) has no DS (the child is unsigned).
 */
export interface Proof {
  kind: 'nxdomain' | 'nodata' | 'wildcard' | 'wildcard-nodata' | 'no-ds';
  name: Name;
  at: Lookup;
}

/** A zone is signed when its apex DNSKEY RRset has signatures. */
export function isSigned(zone: Zone): boolean {
  const keys = zone.rrset(0, RRType.DNSKEY);
  return keys !== undefined && keys.signatures.length > 0;
}

/** The RRsets (NSEC or NSEC3, each with its signatures in the zone) that prove `proof`, in the order a validator reads them. */
export function denialOf(zone: Zone, proof: Proof): RRset[] {
  const found = zone.version.nsec3 ? nsec3Proof(zone, proof) : nsecProof(zone, proof);
  return found.filter((s, i): s is RRset => s !== undefined && found.indexOf(s) === i);
}

// --- NSEC (RFC 4035 §3.1.3)

/** The NSEC whose owner is the last name with one at or before `name`: it covers `name` when `name` does not exist. */
function nsecCovering(zone: Zone, name: Name): RRset | undefined {
  const v = zone.version;
  for (let n = v.predecessor(name); n >= 0; n--) {
    const set = zone.rrset(n, RRType.NSEC);
    if (set) return set;
  }
  return undefined;
}

function nsecProof(zone: Zone, { kind, name, at }: Proof): (RRset | undefined)[] {
  const wildcardOf = () => zone.ownerName(at.encloser).prepend('*');
  switch (kind) {
    case 'nxdomain': return [nsecCovering(zone, name), nsecCovering(zone, wildcardOf())];
    // An empty non-terminal has no NSEC of its own: the one covering it says it has no RRsets.
    case 'nodata': return [zone.rrset(at.node, RRType.NSEC) ?? nsecCovering(zone, name)];
    case 'wildcard': return [nsecCovering(zone, name)];
    case 'wildcard-nodata': return [nsecCovering(zone, name), zone.rrset(at.wildcard, RRType.NSEC)];
    case 'no-ds': return [zone.rrset(at.node, RRType.NSEC)];
  }
}

// --- NSEC3 (RFC 5155 §7.2)

/** The chain's hash parameters, from its first NSEC3 record (RFC 5155 §3.2: algorithm, flags, iterations, salt). */
const paramsOf = new WeakMap<Zone, { salt: Buffer; iterations: number }>();

function hashed(zone: Zone, name: Name): Name {
  let params = paramsOf.get(zone);
  if (!params) {
    const chain = zone.version.nsec3!;
    const rd = chain.rdata(chain.recordsOf(chain.setsOf(1)[0])[0]);
    params = { iterations: rd.readUInt16BE(2), salt: Buffer.from(rd.subarray(5, 5 + rd[4]!)) };
    paramsOf.set(zone, params);
  }
  return Name.parse(nsec3Label(name, params.salt, params.iterations), zone.origin);
}

/** The NSEC3 whose owner is the hash of `name`, or undefined. */
function matching(zone: Zone, name: Name): RRset | undefined {
  return zone.nsec3At(hashed(zone, name));
}

/** The NSEC3 that covers the hash of `name` (the last before it, wrapping round from the first to the last). */
function covering(zone: Zone, name: Name): RRset | undefined {
  const chain = zone.version.nsec3!;
  const n = chain.predecessor(hashed(zone, name));
  return zone.nsec3Set(n > 0 ? n : chain.nodeCount - 1);
}

/**
 * RFC 5155 §7.2.1: the closest provable encloser of `name` (from `encloser`
 * up, the first with a matching NSEC3: opt-out leaves some names without one),
 * its NSEC3, and the one covering the next closer name.
 */
function closestEncloser(zone: Zone, name: Name, encloser: Name): { encloser: Name; sets: (RRset | undefined)[] } {
  let ce = encloser;
  let match = matching(zone, ce);
  while (!match && ce.labelCount > zone.origin.labelCount) {
    ce = ce.parent();
    match = matching(zone, ce);
  }
  const nextCloser = name.strip(name.labelCount - ce.labelCount - 1);
  return { encloser: ce, sets: [match, covering(zone, nextCloser)] };
}

function nsec3Proof(zone: Zone, { kind, name, at }: Proof): (RRset | undefined)[] {
  const encloser = zone.ownerName(at.encloser);
  switch (kind) {
    case 'nxdomain': {
      const ce = closestEncloser(zone, name, encloser);
      return [...ce.sets, covering(zone, ce.encloser.prepend('*'))];
    }
    // nodata: §7.2.3; §7.2.4: a DS question at an opt-out delegation has no NSEC3 of its own: the closest encloser proof.
    // no-ds: §7.2.7: the delegation's own NSEC3, or under opt-out the closest encloser proof whose covering NSEC3 has the flag.
    case 'nodata':
    case 'no-ds': {
      const match = matching(zone, name);
      return match ? [match] : closestEncloser(zone, name, name.parent()).sets;
    }
    case 'wildcard': return [covering(zone, name.strip(name.labelCount - encloser.labelCount - 1))];
    case 'wildcard-nodata': return [...closestEncloser(zone, name, encloser).sets, matching(zone, encloser.prepend('*'))];
  }
}
