// Semantic checks on a built zone, the project's counterpart of the checks
// named-checkzone runs (check-integrity, check-mx-cname, check-srv-cname, ...).
// They are warnings: the zone is still served, and `rotor check --strict`
// turns them into errors.
import type { Name } from '../wire/name.js';
import { RRType, typeName } from '../wire/types.js';
import type { Diagnostic } from './errors.js';
import { targetOf, type SourcePos } from './records.js';
import type { RRset, Zone, ZoneNode } from './zone.js';

export type PositionOf = (set: RRset, index: number) => SourcePos;

const TARGET_TYPES = new Set<number>([RRType.MX, RRType.NS, RRType.SRV]);

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
      if (!TARGET_TYPES.has(set.type)) continue;
      set.rdata.forEach((rd, i) => {
        const target = targetOf(rd);
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
  return !!ns && ns.rdata.some((rd) => targetOf(rd)?.key === name.key);
}

/** Timer sanity as RFC 1912 §2.2 and RFC 2308 §5 recommend. */
function checkSoa(zone: Zone, warn: (pos: SourcePos, message: string) => void): void {
  const set = zone.soa;
  const soa = set.rdata[0];
  if (soa?.kind !== 'SOA') return;
  const pos = set.pos;
  if (soa.serial === 0) warn(pos, 'SOA serial is 0: some secondaries treat it specially; start at 1 or use serial: auto');
  if (soa.retry >= soa.refresh) warn(pos, `SOA retry (${soa.retry}) should be less than refresh (${soa.refresh})`);
  if (soa.expire <= soa.refresh + soa.retry) warn(pos, `SOA expire (${soa.expire}) should exceed refresh + retry (${soa.refresh + soa.retry})`);
  if (soa.expire < 7 * 86400) warn(pos, `SOA expire (${soa.expire}) is under a week: secondaries drop the zone quickly if the primary is down`);
  if (soa.minimum > 86400) warn(pos, `SOA minimum (negative-caching TTL, ${soa.minimum}) is over a day (RFC 2308 §5 suggests 1 to 3 hours)`);
}
