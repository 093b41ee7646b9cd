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

function hasAddress(node: ZoneNode | undefined): boolean {
  return !!node && (node.rrsets.has(RRType.A) || node.rrsets.has(RRType.AAAA));
}

export function checkZone(zone: Zone, positionOf: PositionOf): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (pos: SourcePos, message: string) => out.push({ pos, severity: 'warning', message });

  for (const node of zone.nodes.values()) {
    const cut = zone.findCut(node.name)?.name.key;
    const atCut = cut === node.name.key;
    for (const set of node.rrsets.values()) {
      // Below a cut only glue (addresses of the child's name servers) belongs; at the cut, NS and DS.
      if (cut && !(atCut && (set.type === RRType.NS || set.type === RRType.DS))) {
        const glue = (set.type === RRType.A || set.type === RRType.AAAA) && isGlue(zone, cut, node.name);
        if (!glue) warn(set.pos, `${typeName(set.type)} at ${node.name} is below the delegation ${cut} and is never served (occluded)`);
      }
      // The names whose addresses the additional section needs (MX, NS, SRV) must have them.
      if (!hasAdditional(set.type)) continue;
      set.rdata.forEach((rd, i) => {
        const target = additionalName(set.type, rd);
        if (!target || !target.isSubdomainOf(zone.origin)) return;
        const pos = positionOf(set, i);
        const targetNode = zone.nodes.get(target.key);
        const what = `${typeName(set.type)} target ${target} of ${node.name}`;
        if (targetNode?.rrsets.has(RRType.CNAME)) {
          warn(pos, `${what} is a CNAME; MX, NS and SRV must point at the name that has the addresses (RFC 2181 §10.3)`);
          return;
        }
        const targetCut = zone.findCut(target)?.name.key;
        if (set.type === RRType.NS && targetCut && atCut && targetCut === node.name.key && !hasAddress(targetNode)) {
          warn(pos, `${what} is inside the delegated zone and has no glue (A/AAAA): the delegation cannot be followed`);
          return;
        }
        if (!targetCut && !hasAddress(targetNode)) warn(pos, `${what} has no A or AAAA record in the zone`);
      });
    }
  }
  checkSoa(zone, warn);
  return out;
}

/** Addresses of a name server named in the NS set of the cut above them. */
function isGlue(zone: Zone, cut: string, name: Name): boolean {
  const ns = zone.nodes.get(cut)?.rrsets.get(RRType.NS);
  return !!ns && ns.rdata.some((rd) => additionalName(RRType.NS, rd)?.key === name.key);
}

/** The type modules' own checks of the apex SOA (timer sanity). */
function checkSoa(zone: Zone, warn: (pos: SourcePos, message: string) => void): void {
  const set = zone.soa;
  for (const message of checkRData(set.type, set.rdata[0]!)) warn(set.pos, message);
}
