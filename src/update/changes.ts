// RFC 2136 §3.2–3.4 on one zone version: the prerequisites checked, then the
// updates worked out in order into the RRsets they change. Nothing here
// writes: the result is a list of RRsets before and after, which the file
// editors carry into the zone's source (edit-*.ts), and from there the
// ordinary load path makes the next version.
import { canonicalRData, invalidData } from '../rrtypes/registry.js';
import { soaSerial } from '../rrtypes/soa.js';
import type { Name } from '../wire/name.js';
import { Rcode, RRClass, RRType, typeName } from '../wire/types.js';
import { serialGreater, type Zone } from '../zone/zone.js';
import type { UpdateRecord } from './request.js';

/** One RRset an update changes: `before` as served (empty if none), `after` as it is to be (empty: deleted). */
export interface RRsetChange {
  owner: Name;
  type: number;
  /** The TTL before, and after (an add sets the RRset's TTL, as BIND does). */
  ttlBefore: number;
  ttl: number;
  before: Buffer[];
  after: Buffer[];
}

export type Evaluation =
  | { rcode: number; reason: string }
  | { rcode: typeof Rcode.NOERROR; changes: RRsetChange[] };

/** Types that are not data: an update may not add them (§3.4.1.2). */
const META = new Set<number>([RRType.ANY, RRType.AXFR, RRType.IXFR, RRType.MAILA, RRType.MAILB, RRType.OPT, 250 /* TSIG */]);

function same(type: number, a: Buffer, b: Buffer): boolean {
  return canonicalRData(type, a).equals(canonicalRData(type, b));
}

function fail(rcode: number, reason: string): Evaluation {
  return { rcode, reason };
}

/** Whether `name` has at least one RR (an empty non-terminal is not "in use", §2.4.4). */
function inUse(zone: Zone, name: Name): boolean {
  // Zone.node() gives -1 for an empty non-terminal as for a name not there.
  return zone.node(name) >= 0;
}

/** §3.2: the prerequisites, against the zone as served. */
export function checkPrerequisites(zone: Zone, prerequisites: readonly UpdateRecord[]): Evaluation | undefined {
  // Value-dependent prerequisites are collected per RRset and compared whole (§3.2.3).
  const wanted = new Map<string, { owner: Name; type: number; rdata: Buffer[] }>();
  for (const rr of prerequisites) {
    if (rr.ttl !== 0) return fail(Rcode.FORMERR, `prerequisite ${rr.owner} ${typeName(rr.type)} has a TTL`);
    if (!rr.owner.isSubdomainOf(zone.origin)) return fail(Rcode.NOTZONE, `prerequisite ${rr.owner} is outside ${zone.origin}`);
    if (rr.class === RRClass.ANY || rr.class === RRClass.NONE) {
      if (rr.rdata.length !== 0) return fail(Rcode.FORMERR, `prerequisite ${rr.owner} of class ${rr.class === RRClass.ANY ? 'ANY' : 'NONE'} has data`);
      const exists = rr.type === RRType.ANY ? inUse(zone, rr.owner) : !!zone.get(rr.owner, rr.type);
      if (rr.class === RRClass.ANY && !exists) {
        return rr.type === RRType.ANY ? fail(Rcode.NXDOMAIN, `${rr.owner} is not in use`) : fail(Rcode.NXRRSET, `no ${typeName(rr.type)} RRset at ${rr.owner}`);
      }
      if (rr.class === RRClass.NONE && exists) {
        return rr.type === RRType.ANY ? fail(Rcode.YXDOMAIN, `${rr.owner} is in use`) : fail(Rcode.YXRRSET, `a ${typeName(rr.type)} RRset exists at ${rr.owner}`);
      }
    } else if (rr.class === RRClass.IN) {
      if (META.has(rr.type)) return fail(Rcode.FORMERR, `prerequisite of type ${typeName(rr.type)}`);
      const key = `${rr.owner.key}/${rr.type}`;
      const set = wanted.get(key) ?? { owner: rr.owner, type: rr.type, rdata: [] };
      if (!set.rdata.some((d) => same(rr.type, d, rr.rdata))) set.rdata.push(rr.rdata);
      wanted.set(key, set);
    } else {
      return fail(Rcode.FORMERR, `prerequisite of class ${rr.class}`);
    }
  }
  for (const want of wanted.values()) {
    const have = zone.get(want.owner, want.type)?.rdata ?? [];
    const equal = have.length === want.rdata.length && want.rdata.every((d) => have.some((h) => same(want.type, d, h)));
    if (!equal) return fail(Rcode.NXRRSET, `the ${typeName(want.type)} RRset at ${want.owner} is not the one given`);
  }
  return undefined;
}

/** §3.4.1: every update record well formed and inside the zone, before anything is applied. */
export function prescan(zone: Zone, updates: readonly UpdateRecord[]): Evaluation | undefined {
  for (const rr of updates) {
    if (!rr.owner.isSubdomainOf(zone.origin)) return fail(Rcode.NOTZONE, `update ${rr.owner} is outside ${zone.origin}`);
    if (rr.class === RRClass.IN) {
      if (META.has(rr.type)) return fail(Rcode.FORMERR, `cannot add a record of type ${typeName(rr.type)}`);
      if (rr.rdata.length === 0 && rr.type !== RRType.TXT) return fail(Rcode.FORMERR, `an added ${typeName(rr.type)} record at ${rr.owner} has no data`);
      const invalid = invalidData(rr.type, rr.rdata);
      if (invalid) return fail(Rcode.FORMERR, `${typeName(rr.type)} at ${rr.owner}: ${invalid}`);
      if (rr.ttl > 0x7fffffff) return fail(Rcode.FORMERR, `TTL ${rr.ttl} is above 2^31 - 1`);
    } else if (rr.class === RRClass.ANY) {
      if (rr.ttl !== 0 || rr.rdata.length !== 0) return fail(Rcode.FORMERR, `a deletion of class ANY at ${rr.owner} has a TTL or data`);
      if (META.has(rr.type) && rr.type !== RRType.ANY) return fail(Rcode.FORMERR, `cannot delete type ${typeName(rr.type)}`);
    } else if (rr.class === RRClass.NONE) {
      if (rr.ttl !== 0) return fail(Rcode.FORMERR, `a deletion of class NONE at ${rr.owner} has a TTL`);
      if (META.has(rr.type)) return fail(Rcode.FORMERR, `cannot delete type ${typeName(rr.type)}`);
    } else {
      return fail(Rcode.FORMERR, `update of class ${rr.class}`);
    }
  }
  return undefined;
}

/** RRsets as an update leaves them, read from the zone on first touch. */
class Working {
  readonly sets = new Map<string, RRsetChange>();
  constructor(private readonly zone: Zone) {}

  get(owner: Name, type: number): RRsetChange {
    const key = `${owner.key}/${type}`;
    let set = this.sets.get(key);
    if (!set) {
      const served = this.zone.get(owner, type);
      const before = served ? [...served.rdata] : [];
      set = { owner, type, ttlBefore: served?.ttl ?? 0, ttl: served?.ttl ?? 0, before, after: [...before] };
      this.sets.set(key, set);
    }
    return set;
  }

  /** The types with data at `owner` as the update leaves them so far. */
  types(owner: Name): number[] {
    const node = this.zone.node(owner);
    const types = new Set(node >= 0 ? this.zone.rrsetsAt(node).map((s) => s.type) : []);
    for (const s of this.sets.values()) {
      if (!s.owner.equals(owner)) continue;
      if (s.after.length > 0) types.add(s.type);
      else types.delete(s.type);
    }
    return [...types];
  }
}

/** §3.4.2: the updates applied in order; the RRsets whose records or TTL changed. */
export function applyUpdates(zone: Zone, updates: readonly UpdateRecord[]): RRsetChange[] {
  const work = new Working(zone);
  const apex = zone.origin;
  for (const rr of updates) {
    const atApex = rr.owner.equals(apex);
    if (rr.class === RRClass.IN) {
      const types = work.types(rr.owner);
      // CNAME and other data never share a name (§3.4.2.2, RFC 2181 §10.1).
      if (rr.type === RRType.CNAME && types.some((t) => t !== RRType.CNAME)) continue;
      if (rr.type !== RRType.CNAME && types.includes(RRType.CNAME)) continue;
      if (rr.type === RRType.SOA) {
        // Only the apex has one, and only a later serial replaces it.
        if (!atApex) continue;
        const soa = work.get(rr.owner, RRType.SOA);
        if (!serialGreater(soaSerial(rr.rdata), soaSerial(soa.after[0]!))) continue;
        soa.after = [rr.rdata];
        soa.ttl = rr.ttl;
        continue;
      }
      const set = work.get(rr.owner, rr.type);
      if (rr.type === RRType.CNAME) set.after = [rr.rdata];
      else if (!set.after.some((d) => same(rr.type, d, rr.rdata))) set.after.push(rr.rdata);
      set.ttl = rr.ttl;
    } else if (rr.class === RRClass.ANY) {
      const types = rr.type === RRType.ANY ? work.types(rr.owner) : [rr.type];
      for (const t of types) {
        // The apex keeps its SOA and NS (§3.4.2.3).
        if (atApex && (t === RRType.SOA || t === RRType.NS)) continue;
        work.get(rr.owner, t).after = [];
      }
    } else {
      if (rr.type === RRType.SOA) continue;
      const set = work.get(rr.owner, rr.type);
      const left = set.after.filter((d) => !same(rr.type, d, rr.rdata));
      // The last NS of the apex stays (§3.4.2.4).
      if (atApex && rr.type === RRType.NS && left.length === 0) continue;
      set.after = left;
    }
  }
  return [...work.sets.values()].filter((s) => s.ttl !== s.ttlBefore && s.after.length > 0 && s.before.length > 0
    || s.before.length !== s.after.length || s.before.some((d) => !s.after.some((a) => same(s.type, a, d))));
}
