// The checks of check.ts read from a ZoneVersion and the positions its builder
// kept, names in the order they were first written, as the Map-based zone's were.
import type { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import { check, type CheckedSet, type CheckSubject } from './check.js';
import type { Diagnostic } from './errors.js';
import type { RecordPositions } from './records.js';
import { NodeFlag, type ZoneVersion } from './version.js';

/** The warnings of check.ts for `version`, its nodes visited in `order`. */
export function checkVersion(version: ZoneVersion, positions: RecordPositions, order: Iterable<number>): Diagnostic[] {
  const setOf = (s: number): CheckedSet => {
    const [r0, r1] = version.recordsOf(s);
    const rdata: Buffer[] = [];
    for (let r = r0; r < r1; r++) rdata.push(version.rdata(r));
    return { type: version.setType(s), rdata, pos: (i) => positions.at(r0 + i) };
  };
  // The node owners() is at: most cutAbove() questions are about it, and its flags answer them.
  let current = -1;
  let currentName: Name | undefined;
  const subject: CheckSubject = {
    origin: version.origin,
    *owners() {
      for (const n of order) {
        const [s0, s1] = version.setsOf(n);
        const sets: CheckedSet[] = [];
        for (let s = s0; s < s1; s++) sets.push(setOf(s));
        current = n;
        currentName = version.ownerName(n);
        yield { name: currentName, sets };
      }
    },
    dnames: () => {
      const owners: Name[] = [];
      for (let n = 0; n < version.nodeCount; n++) if (version.rrset(n, RRType.DNAME) >= 0) owners.push(version.ownerName(n));
      return owners;
    },
    exists: (name: Name) => {
      const n = version.find(name);
      return n >= 0 && (version.flags(n) & NodeFlag.EMPTY) === 0;
    },
    has: (name: Name, type: number) => {
      const n = version.find(name);
      return n >= 0 && version.rrset(n, type) >= 0;
    },
    cutAbove: (name: Name) => {
      if (name === currentName && (version.flags(current) & (NodeFlag.DELEGATION | NodeFlag.OCCLUDED)) === 0) return undefined;
      const cut = version.lookup(name).cut;
      return cut < 0 ? undefined : { key: version.ownerName(cut).key, ns: setOf(version.rrset(cut, RRType.NS)).rdata };
    },
  };
  return check(subject);
}
