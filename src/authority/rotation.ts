// The order in which an RRset's records go out. Rotation is the point of rotor:
// every multi-record RRset turns one step each time it is written, so that the
// effect (or lack of it) on senders and resolvers can be watched.
import type { RRset, Zone } from '../zone/zone.js';

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

/**
 * A uniformly random order of 0..n-1 drawn from the front, one position at a
 * time (Fisher–Yates the other way round), so that a writer which stops after k
 * records — a large RRset truncated — pays k steps, not n. Positions moved so far
 * live in two typed arrays stamped with the draw they belong to: nothing is
 * cleared or allocated per draw. One draw at a time: start() forgets the last.
 */
export class LazyShuffle {
  private value = new Uint32Array(0);
  private stamp = new Uint32Array(0);
  private draw = 0;
  private n = 0;
  private i = 0;

  constructor(private readonly random: () => number = Math.random) {}

  start(n: number): void {
    if (n > this.stamp.length) {
      this.value = new Uint32Array(n);
      this.stamp = new Uint32Array(n);
      this.draw = 0;
    }
    if (++this.draw === 0xffffffff) {
      this.stamp.fill(0);
      this.draw = 1;
    }
    this.n = n;
    this.i = 0;
  }

  /** The next position of the order; at most n calls after start(n). */
  next(): number {
    const i = this.i++;
    const j = i + Math.floor(this.random() * (this.n - i));
    const picked = this.at(j);
    // Position i is never read again: only j needs to remember what was there.
    this.value[j] = this.at(i);
    this.stamp[j] = this.draw;
    return picked;
  }

  private at(k: number): number {
    return this.stamp[k] === this.draw ? this.value[k]! : k;
  }
}

/** The records rotated left by `steps`: the base order, started at record `steps mod n`. */
export function rotateLeft<T>(items: readonly T[], steps: number): T[] {
  const n = items.length;
  const k = steps % n;
  return k === 0 ? items.slice() : [...items.slice(k), ...items.slice(0, k)];
}

/**
 * How far this write of an RRset of two or more records turns its base order
 * (cyclic: its counter mod its size; fixed: 0), or undefined when the order is
 * random; advances its counter either way.
 */
export function nextTurn(set: Pick<RRset, 'rdata' | 'served'>, policy: RotationPolicy): number | undefined {
  const step = set.served++;
  switch (policy) {
    case 'fixed': return 0;
    case 'random': return undefined;
    case 'cyclic': return step % set.rdata.length;
  }
}

/** The records in the order a turn gives (undefined: a fresh random order). */
export function orderForTurn(set: Pick<RRset, 'rdata'>, turn: number | undefined): readonly Buffer[] {
  if (turn === undefined) return shuffle(set.rdata);
  return turn === 0 ? set.rdata : rotateLeft(set.rdata, turn);
}

/** The order for this write of the RRset; advances its counter. */
export function orderFor(set: Pick<RRset, 'rdata' | 'served'>, policy: RotationPolicy): readonly Buffer[] {
  if (set.rdata.length < 2) return set.rdata;
  return orderForTurn(set, nextTurn(set, policy));
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
export function rotationResolver(settings: RotationSettings): (zone: Zone, set: RRset) => RotationPolicy {
  if (settings.zones.size === 0 && settings.overrides.length === 0) return () => settings.policy;
  const byName = new Map<string, RotationPolicy>();
  for (const o of settings.overrides) byName.set(o.type === undefined ? o.name : `${o.name}/${o.type}`, o.policy);
  return (zone, set) =>
    byName.get(`${set.owner.key}/${set.type}`) ?? byName.get(set.owner.key) ?? settings.zones.get(zone.origin.key) ?? settings.policy;
}
