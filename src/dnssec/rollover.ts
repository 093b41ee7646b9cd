// Key rollovers as timing metadata (RFC 7583): the successor is written with
// its Publish now and its Activate once every cache holds the new DNSKEY RRset,
// the predecessor with its Inactive and Delete; the key set then changes by
// itself as the times pass (keysInForce), across restarts, with nothing else kept.
import type { Name } from '../wire/name.js';
import { generateKey, KSK_FLAGS, ZSK_FLAGS } from './keys.js';
import { keyRole, type KeyRole, type StoredKey } from './key-set.js';
import { keyState, wholeSecond, type KeyTimes } from './key-timing.js';
import type { DnssecPolicy } from './policy.js';
import { readZoneKeys, rewriteKeyTimes, withKeyLock, writeZoneKey } from './key-store.js';

/** Time for a change to reach every secondary and for clocks to differ, as BIND's publish-safety. */
export const PROPAGATION = 3600;
/** The longest TTL assumed for the zone's signed RRsets (BIND's max-zone-ttl default for dnssec-policy). */
export const MAX_ZONE_TTL = 86_400;
/**
 * From the new KSK's activation (its CDS appears) until the old one may stop
 * signing the DNSKEY RRset: a day for the parent to take the new DS (by hand
 * or by scanning CDS, RFC 8078) and a day for the old DS to leave the caches
 * (BIND's parent-ds-ttl default). Later than that: move the old key's Inactive
 * and Delete with dnssec-settime.
 */
export const PARENT_DS_WAIT = 2 * 86_400;

export interface RolloverPlan {
  role: KeyRole;
  /** The successor's times; its flags follow from the role. */
  successor: KeyTimes;
  /** Each key it replaces, with its new times. */
  retiring: { key: StoredKey; times: KeyTimes }[];
}

export class RolloverError extends Error {}

const at = (now: Date, seconds: number): Date => new Date(now.getTime() + seconds * 1000);

/**
 * A pre-publication rollover of the `role` key at `now`. ZSK (RFC 7583 §3.2.1):
 * the successor is published now and active after the DNSKEY TTL and
 * PROPAGATION; the predecessor stops signing then and leaves once its
 * signatures are out of caches. KSK (double-KSK, §3.3.2) and CSK: the
 * successor signs the DNSKEY RRset beside the predecessor from its activation,
 * which is when its CDS replaces the old one; the predecessor stops after
 * PARENT_DS_WAIT and leaves a DNSKEY TTL later (a CSK: once its signatures on
 * the zone's other RRsets are out of caches too). A rollover of the same role
 * still under way is refused.
 */
export function planRollover(keys: readonly StoredKey[], policy: DnssecPolicy, role: KeyRole, when: Date): RolloverPlan {
  const now = wholeSecond(when);
  const ofRole = keys.filter((k) => k.key.algorithm === policy.algorithm && keyRole(k.key, policy) === role);
  const pending = ofRole.find((k) => ['created', 'published'].includes(keyState(k.times, now)));
  if (pending) {
    throw new RolloverError(`a ${role} rollover is under way: key ${pending.key.tag} becomes active at ${pending.times.activate?.toISOString() ?? 'no set time'}`);
  }
  const current = ofRole.filter((k) => keyState(k.times, now) === 'active' && k.times.inactive === undefined);
  if (current.length === 0) throw new RolloverError(`no active ${role} to roll${ofRole.some((k) => keyState(k.times, now) === 'active') ? ' (every one is already retiring)' : ''}`);
  const activate = at(now, policy.dnskeyTtl + PROPAGATION);
  if (role === 'ZSK') {
    const inactive = activate;
    return {
      role,
      successor: { created: now, publish: now, activate },
      retiring: current.map((key) => ({ key, times: { ...key.times, inactive, delete: at(inactive, MAX_ZONE_TTL + PROPAGATION) } })),
    };
  }
  const inactive = at(activate, PARENT_DS_WAIT);
  // A CSK's signatures over the zone stop at the successor's activation; those on the DNSKEY RRset at `inactive`.
  const linger = role === 'CSK' ? Math.max(policy.dnskeyTtl, MAX_ZONE_TTL) : policy.dnskeyTtl;
  return {
    role,
    successor: { created: now, publish: now, activate, syncPublish: activate },
    retiring: current.map((key) => ({ key, times: { ...key.times, inactive, delete: at(inactive, linger + PROPAGATION), syncDelete: activate } })),
  };
}

/**
 * Plans and writes a rollover of `origin`'s `role` key: the successor's files,
 * then the predecessors' with their new times, under the zone's lock. Returns the plan and the new key.
 */
export async function rollKey(origin: Name, policy: DnssecPolicy, role: KeyRole, now: Date): Promise<{ plan: RolloverPlan; successor: StoredKey }> {
  return withKeyLock(origin, policy.keyDirectory, async () => {
    const plan = planRollover(await readZoneKeys(origin, policy.keyDirectory), policy, role, now);
    const successor = await writeZoneKey(policy.keyDirectory, generateKey(origin, policy.algorithm, role === 'ZSK' ? ZSK_FLAGS : KSK_FLAGS), plan.successor);
    for (const { key, times } of plan.retiring) await rewriteKeyTimes(key, times);
    return { plan, successor };
  });
}
