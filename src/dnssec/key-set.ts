// A zone's keys and what each does: its role under the policy, the keys in
// force at a moment (ZoneKeys, the signer's input), the keys that must be made
// because none is left for a role. Pure functions of the keys' timing metadata.
import { KSK_FLAGS, ZSK_FLAGS, type SigningKey } from './keys.js';
import { inZone, keyState, syncDue, type KeyTimes } from './key-timing.js';
import type { DnssecPolicy, ZoneKeys } from './policy.js';

/** A key of the zone's key directory with its timing metadata and where it is. */
export interface StoredKey {
  readonly key: SigningKey;
  readonly times: KeyTimes;
  /** Its files without .key or .private. */
  readonly path: string;
}

/** CSK: signs everything; KSK: the DNSKEY, CDS and CDNSKEY RRsets; ZSK: the rest. */
export type KeyRole = 'CSK' | 'KSK' | 'ZSK';

/**
 * A key's role under the policy, from its flags (BIND's files say no more):
 * with `keys: csk` a key with the SEP flag (257) is the CSK and a 256 key has
 * none (it is left out); with `keys: ksk+zsk` 257 is a KSK and 256 a ZSK.
 */
export function keyRole(key: SigningKey, policy: DnssecPolicy): KeyRole | undefined {
  if (key.flags === KSK_FLAGS) return policy.keys === 'csk' ? 'CSK' : 'KSK';
  if (key.flags === ZSK_FLAGS && policy.keys === 'ksk+zsk') return 'ZSK';
  return undefined;
}

const activation = (k: StoredKey): number => k.times.activate?.getTime() ?? 0;

/** Newest activation first, then by tag, so that every process picks the same key. */
function newestFirst(a: StoredKey, b: StoredKey): number {
  return activation(b) - activation(a) || a.key.tag - b.key.tag;
}

/**
 * The keys in force at `now` (keys of the policy's algorithm only). Key-signing:
 * every active KSK (or CSK), so that during a KSK rollover either DS at the
 * parent finds a signature (double-KSK, RFC 7583 §3.3.2). Zone-signing: the
 * newest active ZSK (or CSK) alone: a successor takes over at its activation,
 * its DNSKEY having been published since the rollover began (pre-publication,
 * RFC 7583 §3.2). CDS: the active key-signing keys whose SyncPublish has come
 * and SyncDelete has not.
 */
export function keysInForce(keys: readonly StoredKey[], policy: DnssecPolicy, now: Date): ZoneKeys {
  const ours = keys.filter((k) => k.key.algorithm === policy.algorithm && keyRole(k.key, policy) !== undefined);
  const active = ours.filter((k) => keyState(k.times, now) === 'active').sort(newestFirst);
  const keySigning = active.filter((k) => keyRole(k.key, policy) !== 'ZSK');
  const zoneSigning = active.filter((k) => keyRole(k.key, policy) !== 'KSK').slice(0, 1);
  return {
    published: ours.filter((k) => inZone(k.times, now)).sort(newestFirst).map((k) => k.key),
    keySigning: keySigning.map((k) => k.key),
    zoneSigning: zoneSigning.map((k) => k.key),
    cds: keySigning.filter((k) => syncDue(k.times, now)).map((k) => k.key),
  };
}

/**
 * The flags of the keys to make at `now`: one for each role that has no key
 * active or on its way (a key made by a rollover counts from its creation).
 * A zone whose keys have all retired gets new ones at once rather than none.
 */
export function missingKeys(keys: readonly StoredKey[], policy: DnssecPolicy, now: Date): number[] {
  const live = keys.filter((k) => {
    const state = keyState(k.times, now);
    return k.key.algorithm === policy.algorithm && (state === 'created' || state === 'published' || state === 'active');
  });
  const has = (role: KeyRole) => live.some((k) => keyRole(k.key, policy) === role);
  if (policy.keys === 'csk') return has('CSK') ? [] : [KSK_FLAGS];
  return [...(has('KSK') ? [] : [KSK_FLAGS]), ...(has('ZSK') ? [] : [ZSK_FLAGS])];
}
