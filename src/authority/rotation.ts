// The order in which an RRset's records go out. Rotation is the point of rotor:
// every multi-record RRset turns one step each time it is written, so that the
// effect (or lack of it) on senders and resolvers can be watched.
import type { Name } from '../wire/name.js';
import type { RRsetOut } from '../message/response.js';
import { RRType } from '../wire/types.js';
import type { Zone } from '../zone/zone.js';

export type RotationPolicy = 'cyclic' | 'random' | 'fixed';

export const ROTATION_POLICIES: readonly RotationPolicy[] = ['cyclic', 'random', 'fixed'];

/** Fisher–Yates: every permutation equally likely. */
export function shuffle<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** The records rotated left by `steps`: the base order, started at record `steps mod n`. */
export function rotateLeft<T>(items: readonly T[], steps: number): T[] {
  const n = items.length;
  const k = steps % n;
  return k === 0 ? items.slice() : [...items.slice(k), ...items.slice(0, k)];
}

/** What rotation needs of an RRset: its owner and type (for the policy) and its records. */
export interface Rotatable {
  owner: Name;
  type: number;
  rdata: readonly unknown[];
}

/** An RRset as an answer placed it (owner and TTL as written there), with the RRset whose counter turns. */
export interface Placed {
  owner: Name;
  type: number;
  ttl: number;
  rdata: RRsetOut['rdata'];
  set: Rotatable;
  /** The RRSIGs written after the set: passed through, never reordered. */
  signatures?: RRsetOut['signatures'];
}

export interface Sections<T> {
  answer: readonly T[];
  authority: readonly T[];
  additional: readonly T[];
}

/** The sections ready to encode, and how far the answer section's first rotating RRset turned. */
export interface Rotated extends Sections<RRsetOut> {
  /** Cyclic: its counter mod its size; fixed: 0; random or none: undefined. For the query log. */
  rotation: number | undefined;
}

/**
 * Whether writes of `set` turn: two or more records, and not the signatures an
 * RRSIG question is answered with (rotation reorders records, never signatures).
 */
export function rotates(set: Rotatable): boolean {
  return set.rdata.length > 1 && set.type !== RRType.RRSIG;
}

/** How many times an RRset has been written: kept by the stage, one cell per RRset. */
export interface Counter {
  n: number;
}

/** Which policy an RRset follows; the zone is undefined for forwarded answers. */
export type PolicyOf = (zone: Zone | undefined, set: Rotatable) => RotationPolicy;

/**
 * The rotation stage, after the answer: every RRset of two or more records
 * turns one step each time it is written. Its counters are kept here, by the
 * RRset object, not in the zone: a zone version is never written to, and a
 * reloaded zone (new RRsets) starts again from 0. Used by local answers, the
 * answer memo, the forwarded-answer cache and the status page alike.
 */
export class Rotation {
  /** A cell per RRset: one lookup per write, the count kept in the cell. */
  private readonly counts = new WeakMap<object, Counter>();

  constructor(readonly policyOf: PolicyOf) {}

  /** Times the RRset has been written so far. */
  served(set: object): number {
    return this.counts.get(set)?.n ?? 0;
  }

  /**
   * How far this write of an RRset of two or more records turns its base order
   * (cyclic: its counter mod its size; fixed: 0), or undefined when the order is
   * random; advances its counter either way.
   */
  turn(zone: Zone | undefined, set: Rotatable): number | undefined {
    return this.turnWith(zone, set, this.counter(set));
  }

  /** The RRset's counter, made at its first write; a caller that writes it again and again may hold on to it. */
  counter(set: Rotatable): Counter {
    let cell = this.counts.get(set);
    if (!cell) this.counts.set(set, (cell = { n: 0 }));
    return cell;
  }

  /** turn(), with the RRset's counter already in hand. */
  turnWith(zone: Zone | undefined, set: Rotatable, cell: Counter): number | undefined {
    const step = cell.n++;
    switch (this.policyOf(zone, set)) {
      case 'fixed': return 0;
      case 'random': return undefined;
      case 'cyclic': return step % set.rdata.length;
    }
  }

  /** The order the next write will use, without turning it (random: the base order). */
  upcoming<T>(zone: Zone | undefined, set: Rotatable & { rdata: readonly T[] }): readonly T[] {
    return this.policyOf(zone, set) === 'cyclic' ? rotateLeft(set.rdata, this.served(set)) : set.rdata;
  }

  /**
   * The sections as they go out: each multi-record RRset with the turn of this
   * write, counters advanced in the order written (answer, authority, additional).
   * Turned as it is encoded: a set of 65,535 records is not copied to send the few that fit.
   */
  rotate(zone: Zone | undefined, sections: Sections<Placed>): Rotated {
    let rotation: number | undefined;
    let first = true;
    const turned = (list: readonly Placed[], answers: boolean): RRsetOut[] => list.map((p) => {
      const out: RRsetOut = { owner: p.owner, type: p.type, ttl: p.ttl, rdata: p.rdata };
      if (p.signatures) out.signatures = p.signatures;
      if (!rotates(p)) return out;
      const turn = this.turn(zone, p.set);
      if (answers && first) {
        rotation = turn;
        first = false;
      }
      out.turn = turn ?? 'random';
      return out;
    });
    const answer = turned(sections.answer, true);
    return { answer, authority: turned(sections.authority, false), additional: turned(sections.additional, false), rotation };
  }
}

/** One override: an owner name, optionally one type at it. */
export interface RotationOverride {
  /** Absolute name key (lowercase, trailing dot). */
  name: string;
  /** A type code, or undefined for every type at the name. */
  type?: number;
  policy: RotationPolicy;
}

export interface RotationSettings {
  policy: RotationPolicy;
  /** Zone origin key → that zone's default policy. */
  zones: Map<string, RotationPolicy>;
  overrides: RotationOverride[];
}

/**
 * Which policy an RRset follows: the most specific setting wins — name and
 * type, then name, then zone, then the global default.
 */
export function rotationResolver(settings: RotationSettings): PolicyOf {
  if (settings.zones.size === 0 && settings.overrides.length === 0) return () => settings.policy;
  const byName = new Map<string, RotationPolicy>();
  for (const o of settings.overrides) byName.set(o.type === undefined ? o.name : `${o.name}/${o.type}`, o.policy);
  return (zone, set) =>
    byName.get(`${set.owner.key}/${set.type}`) ?? byName.get(set.owner.key) ?? (zone && settings.zones.get(zone.origin.key)) ?? settings.policy;
}
