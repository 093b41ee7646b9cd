// The checks of check.ts read from a ZoneVersion and the positions its builder
// kept, names in the order they were first written, as the Map-based zone's were.
import type { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import { check, type CheckedOwner, type CheckedSet, type CheckSubject } from './check.js';
import type { Diagnostic } from './errors.js';
import type { RecordPositions, SourcePos } from './records.js';
import { NodeFlag, type ZoneVersion } from './version.js';

/** The warnings of check.ts for `version`, its nodes visited in `order`. */
export function checkVersion(version: ZoneVersion, positions: RecordPositions, order: Iterable<number>): Diagnostic[] {
  const setOf = (s: number): CheckedSet => new VersionSet(version, positions, s);
  const cutOf = (cut: number) => (cut < 0 ? undefined : { key: version.ownerName(cut).key, ns: setOf(version.rrset(cut, RRType.NS)).rdata });
  const subject: CheckSubject = {
    origin: version.origin,
    *owners() {
      for (const n of order) {
        const [s0, s1] = version.setsOf(n);
        const sets: CheckedSet[] = [];
        for (let s = s0; s < s1; s++) sets.push(setOf(s));
        yield new VersionOwner(version, n, sets, cutOf);
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
    cutAbove: (name: Name) => cutOf(version.lookup(name).cut),
  };
  return check(subject);
}

/**
 * A node as the checks read it. Its name and cut are made when first asked
 * for: for most names of a large zone neither ever is, and making a Name per
 * node was most of what the checks cost.
 */
class VersionOwner implements CheckedOwner {
  private owner: Name | undefined;
  private cutFound = false;
  private cutAbove: CheckedOwner['cut'];

  constructor(
    private readonly version: ZoneVersion, private readonly node: number, readonly sets: readonly CheckedSet[],
    private readonly cutOf: (cut: number) => CheckedOwner['cut'],
  ) {}

  get name(): Name {
    return (this.owner ??= this.version.ownerName(this.node));
  }

  /** A node neither at nor below a delegation has none above it, as its flags say. */
  get cut(): CheckedOwner['cut'] {
    if (!this.cutFound) {
      this.cutFound = true;
      if ((this.version.flags(this.node) & (NodeFlag.DELEGATION | NodeFlag.OCCLUDED)) !== 0) this.cutAbove = this.cutOf(this.version.lookup(this.name).cut);
    }
    return this.cutAbove;
  }
}

/** An RRset as the checks read it: its data made into Buffers only when a check asks. */
class VersionSet implements CheckedSet {
  readonly type: number;
  private data: Buffer[] | undefined;

  constructor(private readonly version: ZoneVersion, private readonly positions: RecordPositions, private readonly set: number) {
    this.type = version.setType(set);
  }

  get rdata(): readonly Buffer[] {
    if (!this.data) {
      const [r0, r1] = this.version.recordsOf(this.set);
      this.data = [];
      for (let r = r0; r < r1; r++) this.data.push(this.version.rdata(r));
    }
    return this.data;
  }

  pos(i: number): SourcePos {
    return this.positions.at(this.version.recordsOf(this.set)[0] + i);
  }
}
