// A check across the zones served, which the checks of one zone file
// (src/zone/check.ts) cannot make: whether an ALIAS's target can be looked up.
import { targetOf } from '../rrtypes/registry.js';
import type { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { Diagnostic } from '../zone/errors.js';
import type { Zone } from '../zone/zone.js';

/**
 * ALIAS targets that nothing can look up: outside every zone served, or
 * delegated away from `zone` to a child not served here (`servedZone` gives
 * the served zone closest to a name), while no forward.upstreams are set.
 * Their A/AAAA questions get SERVFAIL, so the loader says so where they are written.
 */
export function unreachableAliases(zone: Zone, servedZone: (name: Name) => { origin: Name } | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const alias of zone.rrsetsOfType(RRType.ALIAS)) {
    const target = targetOf(RRType.ALIAS, alias.rdata[0]!);
    if (!target) continue;
    const other = servedZone(target);
    const reachable = target.isSubdomainOf(zone.origin)
      ? zone.findCut(target) < 0 || (!!other && other.origin.labelCount > zone.origin.labelCount)
      : !!other;
    if (reachable) continue;
    out.push({ pos: alias.pos, severity: 'warning', message: `ALIAS target ${target} of ${alias.owner} is outside the zones served here and forward.upstreams is not set: A and AAAA questions at ${alias.owner} get SERVFAIL` });
  }
  return out;
}
