// Semantic checks on a built zone, the project's counterpart of the checks
// named-checkzone runs (check-integrity, check-mx-cname, check-srv-cname, ...).
// They are warnings: the zone is still served, and `rotor check --strict`
// turns them into errors.
import { additionalName, checkRData, checksRData, hasAdditional, targetOf } from '../rrtypes/registry.js';
import type { Name } from '../wire/name.js';
import { RRType, typeName } from '../wire/types.js';
import { dataName } from './canonical.js';
import type { Diagnostic } from './errors.js';
import type { SourcePos } from './records.js';

/** An RRset as the checks read it. */
export interface CheckedSet {
  type: number;
  /** Read only where a check needs the data: most sets (A, AAAA, TXT) are never asked for it. */
  readonly rdata: readonly Buffer[];
  /** Where record `index` was written; record 0's stands for the set. */
  pos(index: number): SourcePos;
}

/** A name with data, as the checks visit it. */
export interface CheckedOwner {
  /** Read only for a message or a rule about the name itself: most names are never asked for it. */
  readonly name: Name;
  readonly sets: readonly CheckedSet[];
  /** The topmost delegation at or above the name (cutAbove of it). */
  readonly cut: { key: string; ns: readonly Buffer[] } | undefined;
}

/** What the checks read of a zone (version-check.ts gives it from a ZoneVersion and its builder's positions). */
export interface CheckSubject {
  readonly origin: Name;
  /** Every name with data and its RRsets, the apex first, then in the order first written. */
  owners(): Iterable<CheckedOwner>;
  /** The owners of DNAME records. */
  dnames(): Name[];
  /** Whether `name` has any data. */
  exists(name: Name): boolean;
  has(name: Name, type: number): boolean;
  /** The topmost delegation at or above `name`: its key and the data of its NS records. */
  cutAbove(name: Name): { key: string; ns: readonly Buffer[] } | undefined;
}

function hasAddress(zone: CheckSubject, name: Name): boolean {
  return zone.has(name, RRType.A) || zone.has(name, RRType.AAAA);
}

export function check(zone: CheckSubject): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (pos: SourcePos, message: string) => out.push({ pos, severity: 'warning', message });

  const dnames = zone.dnames();
  for (const node of zone.owners()) {
    const cut = node.cut;
    const atCut = cut !== undefined && cut.key === node.name.key;
    const dname = dnames.length === 0 ? undefined : dnames.find((d) => !d.equals(node.name) && node.name.isSubdomainOf(d));
    for (const set of node.sets) {
      // RFC 6672 §2.3: nothing below a DNAME is ever served. (A CNAME beside a DNAME
      // is already an error when the zone is built: a CNAME is alone at its name.)
      if (dname) warn(set.pos(0), `${typeName(set.type)} at ${node.name} is below the DNAME at ${dname} and is never served (RFC 6672 §2.3)`);
    }
    for (const set of node.sets) {
      if (checksRData(set.type)) {
        set.rdata.forEach((rd, i) => {
          for (const message of checkRData(set.type, rd)) warn(set.pos(i), message);
        });
      }
      if (set.type === RRType.DS && !atCut) {
        warn(set.pos(0), `DS at ${node.name} is not at a delegation point: a DS set belongs to the parent side of a zone cut, beside its NS set (RFC 4035 §2.4)`);
      }
      // Below a cut only glue (addresses of the child's name servers) belongs; at the cut, NS, DS and the parent's NSEC (RFC 4035 §2.3).
      if (cut && !(atCut && (set.type === RRType.NS || set.type === RRType.DS || set.type === RRType.NSEC))) {
        const glue = (set.type === RRType.A || set.type === RRType.AAAA) && cut.ns.some((rd) => additionalName(RRType.NS, rd, dataName)?.key === node.name.key);
        if (!glue) warn(set.pos(0), `${typeName(set.type)} at ${node.name} is below the delegation ${cut.key} and is never served (occluded)`);
      }
      // An ALIAS may point into a delegated child: the forwarder looks it up there.
      const exists = (name: Name) => answered(zone, name) || (set.type === RRType.ALIAS && !!zone.cutAbove(name));
      if (set.type === RRType.CNAME || set.type === RRType.ALIAS) checkTarget(set.type, zone.origin, node, targetOf(set.type, set.rdata[0]!, dataName), exists, (m) => warn(set.pos(0), m));
      if (set.type === RRType.ALIAS && !node.name.equals(zone.origin)) {
        warn(set.pos(0), `ALIAS at ${node.name} is below the apex: rotor serves it, but octoDNS refuses it ("non-root ALIAS not allowed"); a CNAME does this job there`);
      }
      // The names whose addresses the additional section needs (MX, NS, SRV) must have them.
      if (!hasAdditional(set.type)) continue;
      set.rdata.forEach((rd, i) => {
        const target = additionalName(set.type, rd, dataName);
        if (!target || !target.isSubdomainOf(zone.origin)) return;
        const what = () => `${typeName(set.type)} target ${target} of ${node.name}`;
        if (zone.has(target, RRType.CNAME)) {
          warn(set.pos(i), `${what()} is a CNAME; MX, NS and SRV must point at the name that has the addresses (RFC 2181 §10.3)`);
          return;
        }
        const targetCut = zone.cutAbove(target)?.key;
        if (set.type === RRType.NS && targetCut && atCut && targetCut === node.name.key && !hasAddress(zone, target)) {
          warn(set.pos(i), `${what()} is inside the delegated zone and has no glue (A/AAAA): the delegation cannot be followed`);
          return;
        }
        if (!targetCut && !hasAddress(zone, target)) warn(set.pos(i), `${what()} has no A or AAAA record in the zone${missingDot(target, zone.origin)}`);
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
function checkTarget(type: number, origin: Name, owner: CheckedOwner, target: Name | undefined, exists: (name: Name) => boolean, warn: (message: string) => void): void {
  if (!target || !target.isSubdomainOf(origin) || exists(target)) return;
  warn(`${typeName(type)} target ${target} of ${owner.name} does not exist in the zone${missingDot(target, origin)}`);
}

/** Whether the zone has data at `name`, or a wildcard that would answer for it. */
function answered(zone: CheckSubject, name: Name): boolean {
  if (zone.exists(name)) return true;
  // Each enclosing name's wildcard, up to the apex.
  for (let parent = name; parent.labelCount > zone.origin.labelCount; ) {
    parent = parent.parent();
    if (zone.exists(parent.prepend('*'))) return true;
  }
  return false;
}
