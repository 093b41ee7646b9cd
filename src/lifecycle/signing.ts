// What the zone lifecycle keeps of a signed zone between two signings, and how
// it is told that a zone is signed (the composition root reads the policy from
// rotor.yaml and the keys from the key directory).
import { nextKeyEvent, zoneKeys } from '../dnssec/key-store.js';
import type { DnssecPolicy, ZoneKeys } from '../dnssec/policy.js';
import { dnssecPolicy, type DnssecSettings } from '../dnssec/settings.js';
import type { Logger } from '../log.js';
import { Name } from '../wire/name.js';
import type { Zone } from '../zone/zone.js';

export interface ZoneSigning {
  policy: DnssecPolicy;
  /** The keys in force at `now` (seconds since 1970). */
  keys(now: number): Promise<ZoneKeys>;
  /** The next moment after `now` at which the keys in force change (a rollover's step), in seconds since 1970; undefined when none is set. */
  nextKeyEvent?(now: number): Promise<number | undefined>;
}

export interface SignedState {
  /** The version loaded from the file, signed last. */
  unsigned: Zone;
  keys: ZoneKeys;
  policy: DnssecPolicy;
  /** When the first signature of the served version is due for refreshing, in seconds since 1970. */
  refreshAt: number;
  /** When the zone is looked at again: refreshAt, or the keys' next change when that comes first. */
  wakeAt: number;
  timer: NodeJS.Timeout;
}

/** Whether two key sets publish and sign with the same keys, in the same roles. */
export function sameKeys(a: ZoneKeys, b: ZoneKeys): boolean {
  const tags = (keys: ZoneKeys) => (['published', 'keySigning', 'zoneSigning', 'cds'] as const)
    .map((role) => keys[role].map((k) => `${k.algorithm}/${k.tag}/${k.dnskey.toString('base64')}`).sort().join(',')).join(' ');
  return tags(a) === tags(b);
}

export function signingDue(state: SignedState, now: number): boolean {
  return now >= state.refreshAt;
}

/** Whether two policies sign alike (a configuration reload may change denial, NSEC3 parameters, TTLs or validity). */
export function samePolicy(a: DnssecPolicy, b: DnssecPolicy): boolean {
  const text = (p: DnssecPolicy) => JSON.stringify({ ...p, nsec3: { ...p.nsec3, salt: p.nsec3.salt.toString('hex') } });
  return text(a) === text(b);
}

/** How `origin` (a key) is signed under the `dnssec:` settings: its policy, its keys from the key directory; undefined when it is not signed. */
export function zoneSigning(settings: DnssecSettings, origin: string, logger: Logger): ZoneSigning | undefined {
  const name = Name.parse(origin);
  const policy = dnssecPolicy(settings, name);
  if (!policy) return undefined;
  const warn = (message: string) => logger.warn({ zone: origin }, message);
  return {
    policy,
    keys: (now) => zoneKeys(name, policy, new Date(now * 1000), warn),
    nextKeyEvent: async (now) => {
      const at = await nextKeyEvent(name, policy, new Date(now * 1000));
      return at && at.getTime() / 1000;
    },
  };
}
