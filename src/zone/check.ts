// Semantic checks on a built zone, the project's counterpart of the checks
// named-checkzone runs (check-integrity, check-mx-cname, check-srv-cname, ...).
// They are warnings: the zone is still served, and `rotor check --strict`
// turns them into errors.
import { additionalName, checkRData, hasAdditional } from '../rrtypes/registry.js';
import type { Name } from '../wire/name.js';
import { RRType, typeName } from '../wire/types.js';
import type { Diagnostic } from './errors.js';
import type { SourcePos } from './records.js';
import type { RRset, Zone, ZoneNode } from './zone.js';

export type PositionOf = (set: RRset, index: number) => SourcePos;

/** An RRset as the checks read it. */
export interface CheckedSet {
  type: number;
  rdata: readonly Buffer[];
  /** Where record `index` was written; record 0's stands for the set. */
  pos(index: number): SourcePos;
}

/**
 * What the checks read of a zone, whatever holds it (the Map-based Zone or a
 * ZoneVersion), so that both give the same warnings in the same order.
 */
export interface CheckSubject {
  readonly origin: Name;
  /** Every name with data and its RRsets, the apex first, then in the order first written. */
  owners(): Iterable<{ name: Name; sets: Iterable<CheckedSet> }>;
  has(name: Name, type: number): boolean;
  /** The topmost delegation at or above `name`: its key and the data of its NS records. */
  cutAbove(name: Name): { key: string; ns: readonly Buffer[] } | undefined;
  readonly soa: CheckedSet;
}

function hasAddress(zone: CheckSubject, name: Name): boolean {
  return zone.has(name, RRType.A) || zone.has(name, RRType.AAAA);
}

export function checkZone(zone: Zone, positionOf: PositionOf): Diagnostic[] {
  const checked = (set: RRset): CheckedSet => ({ type: set.type, rdata: set.rdata, pos: (i) => positionOf(set, i) });
  const cut = (node: ZoneNode | undefined) => node && { key: node.name.key, ns: node.rrsets.get(RRType.NS)?.rdata ?? [] };
  return check({
    origin: zone.origin,
    owners: () => [...zone.nodes.values()].map((node) => ({ name: node.name, sets: [...node.rrsets.values()].map(checked) })),
    has: (name, type) => zone.nodes.get(name.key)?.rrsets.has(type) ?? false,
    cutAbove: (name) => cut(zone.findCut(name)),
    soa: { ...checked(zone.soa), pos: () => zone.soa.pos },
  });
}

export function check(zone: CheckSubject): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (pos: SourcePos, message: string) => out.push({ pos, severity: 'warning', message });

  for (const node of zone.owners()) {
    const cut = zone.cutAbove(node.name);
    const atCut = cut?.key === node.name.key;
    for (const set of node.sets) {
      // Below a cut only glue (addresses of the child's name servers) belongs; at the cut, NS and DS.
      if (cut && !(atCut && (set.type === RRType.NS || set.type === RRType.DS))) {
        const glue = (set.type === RRType.A || set.type === RRType.AAAA) && cut.ns.some((rd) => additionalName(RRType.NS, rd)?.key === node.name.key);
        if (!glue) warn(set.pos(0), `${typeName(set.type)} at ${node.name} is below the delegation ${cut.key} and is never served (occluded)`);
      }
      // The names whose addresses the additional section needs (MX, NS, SRV) must have them.
      if (!hasAdditional(set.type)) continue;
      set.rdata.forEach((rd, i) => {
        const target = additionalName(set.type, rd);
        if (!target || !target.isSubdomainOf(zone.origin)) return;
        const pos = set.pos(i);
        const what = `${typeName(set.type)} target ${target} of ${node.name}`;
        if (zone.has(target, RRType.CNAME)) {
          warn(pos, `${what} is a CNAME; MX, NS and SRV must point at the name that has the addresses (RFC 2181 §10.3)`);
          return;
        }
        const targetCut = zone.cutAbove(target)?.key;
        if (set.type === RRType.NS && targetCut && atCut && targetCut === node.name.key && !hasAddress(zone, target)) {
          warn(pos, `${what} is inside the delegated zone and has no glue (A/AAAA): the delegation cannot be followed`);
          return;
        }
        if (!targetCut && !hasAddress(zone, target)) warn(pos, `${what} has no A or AAAA record in the zone`);
      });
    }
  }
  // The type modules' own checks of the apex SOA (timer sanity).
  for (const message of checkRData(RRType.SOA, zone.soa.rdata[0]!)) warn(zone.soa.pos(0), message);
  return out;
}
