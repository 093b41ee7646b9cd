// Semantic checks on a built zone, the project's counterpart of the checks
// named-checkzone runs (check-integrity, check-mx-cname, check-srv-cname, ...).
// They are warnings: the zone is still served, and `rotor check --strict`
// turns them into errors.
import { additionalName, checkRData, hasAdditional, targetOf } from '../rrtypes/registry.js';
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

  const dnames = [...zone.nodes.values()].filter((n) => n.rrsets.has(RRType.DNAME)).map((n) => n.name);
  for (const node of zone.nodes.values()) {
    const cut = zone.findCut(node.name)?.name.key;
    const atCut = cut === node.name.key;
    checkBelowDname(node, dnames, warn);
    for (const set of node.rrsets.values()) {
      set.rdata.forEach((rd, i) => {
        for (const message of checkRData(set.type, rd)) warn(positionOf(set, i), message);
      });
      if (set.type === RRType.DS && !atCut) {
        warn(set.pos, `DS at ${node.name} is not at a delegation point: a DS set belongs to the parent side of a zone cut, beside its NS set (RFC 4035 §2.4)`);
      }
      // Below a cut only glue (addresses of the child's name servers) belongs; at the cut, NS and DS.
      if (cut && !(atCut && (set.type === RRType.NS || set.type === RRType.DS))) {
        const glue = (set.type === RRType.A || set.type === RRType.AAAA) && isGlue(zone, cut, node.name);
        if (!glue) warn(set.pos, `${typeName(set.type)} at ${node.name} is below the delegation ${cut} and is never served (occluded)`);
      }
      // An ALIAS may point into a delegated child: the forwarder looks it up there.
      const exists = (name: Name) => answered(zone, name) || (set.type === RRType.ALIAS && !!zone.findCut(name));
      if (set.type === RRType.CNAME || set.type === RRType.ALIAS) checkTarget(set.type, zone.origin, node.name, targetOf(set.type, set.rdata[0]!), exists, (m) => warn(positionOf(set, 0), m));
      if (set.type === RRType.ALIAS && !node.name.equals(zone.origin)) {
        warn(set.pos, `ALIAS at ${node.name} is below the apex: rotor serves it, but octoDNS refuses it ("non-root ALIAS not allowed"); a CNAME does this job there`);
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
        if (!targetCut && !hasAddress(targetNode)) warn(pos, `${what} has no A or AAAA record in the zone${missingDot(target, zone.origin)}`);
      });
    }
  }
  return out;
}

/**
 * A name meant absolute but written without its final dot reads as relative
 * and gets the zone's name twice: mail.corp.example.corp.example. Said, with
 * the fix, after the warning its absence of data causes.
 */
function missingDot(target: Name, origin: Name): string {
  const t = target.key;
  const o = origin.key;
  if (o === '.' || !t.endsWith(o + o)) return '';
  const written = t.slice(0, -o.length - 1);
  return `: "${written}" without a final dot is relative to the zone; write "${written}." or "${written.slice(0, -o.length)}"`.replace(/ or ""$/, '');
}

/** A CNAME or ALIAS pointing inside the zone at a name with no data at all: a typo, or a name written without its final dot. */
function checkTarget(type: number, origin: Name, owner: Name, target: Name | undefined, exists: (name: Name) => boolean, warn: (message: string) => void): void {
  if (!target || !target.isSubdomainOf(origin) || exists(target)) return;
  warn(`${typeName(type)} target ${target} of ${owner} does not exist in the zone${missingDot(target, origin)}`);
}

/**
 * ALIAS targets that nothing can look up: outside every zone served, or
 * delegated away from `zone` to a child not served here (`servedZone` gives
 * the served zone closest to a name), while no forward.upstreams are set.
 * Their A/AAAA questions get SERVFAIL, so the loader says so where they are written.
 */
export function unreachableAliases(zone: Zone, servedZone: (name: Name) => { origin: Name } | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of zone.nodes.values()) {
    const alias = node.rrsets.get(RRType.ALIAS);
    const target = alias && targetOf(RRType.ALIAS, alias.rdata[0]!);
    if (!alias || !target) continue;
    const other = servedZone(target);
    const reachable = target.isSubdomainOf(zone.origin)
      ? !zone.findCut(target) || (!!other && other.origin.labelCount > zone.origin.labelCount)
      : !!other;
    if (reachable) continue;
    out.push({ pos: alias.pos, severity: 'warning', message: `ALIAS target ${target} of ${node.name} is outside the zones served here and forward.upstreams is not set: A and AAAA questions at ${node.name} get SERVFAIL` });
  }
  return out;
}

/** Whether the zone has data at `name`, or a wildcard that would answer for it. */
function answered(zone: Zone, name: Name): boolean {
  if (zone.nodes.has(name.key)) return true;
  // Each enclosing name's wildcard, up to the apex (keys end with a dot; escaped dots are too rare to matter here).
  for (let at = name.key.indexOf('.'); at >= 0 && at < name.key.length - 1; at = name.key.indexOf('.', at + 1)) {
    const parent = name.key.slice(at + 1);
    if (zone.nodes.has(`*.${parent}`)) return true;
    if (parent === zone.origin.key) break;
  }
  return false;
}

/** Addresses of a name server named in the NS set of the cut above them. */
function isGlue(zone: Zone, cut: string, name: Name): boolean {
  const ns = zone.nodes.get(cut)?.rrsets.get(RRType.NS);
  return !!ns && ns.rdata.some((rd) => additionalName(RRType.NS, rd)?.key === name.key);
}

/**
 * RFC 6672 §2.3: nothing below a DNAME is ever served. (A CNAME beside a DNAME
 * is already an error when the zone is built: a CNAME is alone at its name.)
 */
function checkBelowDname(node: ZoneNode, dnames: readonly Name[], warn: (pos: SourcePos, message: string) => void): void {
  const above = dnames.find((d) => !d.equals(node.name) && node.name.isSubdomainOf(d));
  if (!above) return;
  for (const set of node.rrsets.values()) {
    warn(set.pos, `${typeName(set.type)} at ${node.name} is below the DNAME at ${above} and is never served (RFC 6672 §2.3)`);
  }
}
