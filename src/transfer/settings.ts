// rotor.yaml's zone access settings: TSIG keys, who may transfer which zone,
// whom to NOTIFY, who may update what. Every zone inherits the top-level values and may override them
// under zone-settings.
import { readFileSync } from 'node:fs';
import { Address4, Address6 } from 'ip-address';
import { resolve } from 'node:path';
import { parseAcl, type Acl } from '../net/acl.js';
import { parseHostPort, type ListenAddress } from '../net/address.js';
import { suggestion } from '../suggest.js';
import { Name } from '../wire/name.js';
import { TSIG_ALGORITHMS, type Keyring, type TsigAlgorithm, type TsigKey } from '../wire/tsig.js';
import { DEFAULT_JOURNAL_BYTES } from './journal.js';
import { parseUpdatePolicy, PolicyError, type Grant } from './update-policy.js';

export class SettingsError extends Error {}

export type NotifyMode = 'explicit' | 'ns' | 'off';

export interface ZoneTransferSettings {
  /** Who may transfer: nobody unless listed (RFC 5936 §6 leaves it to policy; BIND's default is none here too). */
  allowTransfer: Acl;
  /** When set, transfers must be signed with this key. */
  transferKey?: string;
  /** Secondaries to NOTIFY on every serial change. */
  alsoNotify: ListenAddress[];
  /** explicit: only also-notify; ns: the zone's NS hosts (port 53) too; off: none. */
  notify: NotifyMode;
  /** Who may query the zone at all (others get REFUSED); everyone when unset. */
  allowQuery?: Acl;
  /** Cap on the IXFR journal of a zone that may be transferred; 0 keeps none (secondaries get AXFR). */
  ixfrJournalBytes: number;
  /** Who may change what by dynamic update (update-policy.ts); nobody when unset. */
  updatePolicy?: Grant[];
}

export interface TransferSettings {
  keys: Map<string, TsigKey>;
  defaults: ZoneTransferSettings;
  /** Origin key → the settings written for that zone (the rest comes from defaults). */
  zones: Map<string, Partial<ZoneTransferSettings>>;
}

export function defaultTransferSettings(): TransferSettings {
  return {
    keys: new Map(),
    defaults: { allowTransfer: parseAcl([]), alsoNotify: [], notify: 'explicit', ixfrJournalBytes: DEFAULT_JOURNAL_BYTES },
    zones: new Map(),
  };
}

export function settingsFor(t: TransferSettings, origin: string): ZoneTransferSettings {
  return { ...t.defaults, ...t.zones.get(origin) };
}

/** How many bytes of IXFR journal to keep for a zone: none unless someone may transfer it. */
export function journalBytesFor(t: TransferSettings, origin: string): number {
  const s = settingsFor(t, origin);
  return s.allowTransfer.entries.length > 0 ? s.ixfrJournalBytes : 0;
}

export function keyring(t: TransferSettings): Keyring {
  return new Map([...t.keys.values()].map((k) => [k.name.key, k]));
}

function record(key: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SettingsError(`${key}: expected a mapping`);
  return v as Record<string, unknown>;
}

export const KEY_FIELDS = ['algorithm', 'secret', 'secret-file'];

/**
 * keys:
 *   transfer-key: { algorithm: hmac-sha256, secret: <base64> }   # or secret-file: PATH
 */
export function parseKeys(v: unknown, base: string): Map<string, TsigKey> {
  const keys = new Map<string, TsigKey>();
  for (const [name, spec] of Object.entries(record('keys', v))) {
    const at = `keys.${name}`;
    const s = record(at, spec);
    for (const k of Object.keys(s)) if (!KEY_FIELDS.includes(k)) throw new SettingsError(`${at}: unknown key "${k}"${suggestion(k, KEY_FIELDS)}`);
    const algorithm = s.algorithm;
    if (typeof algorithm !== 'string' || !(algorithm in TSIG_ALGORITHMS)) {
      throw new SettingsError(`${at}.algorithm: expected one of ${Object.keys(TSIG_ALGORITHMS).join(', ')}`);
    }
    let text: unknown = s.secret;
    if (s['secret-file'] !== undefined) {
      if (text !== undefined) throw new SettingsError(`${at}: give secret or secret-file, not both`);
      try {
        text = readFileSync(resolve(base, String(s['secret-file'])), 'utf8').trim();
      } catch (e) {
        throw new SettingsError(`${at}.secret-file: cannot read: ${(e as Error).message}`);
      }
    }
    if (typeof text !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
      throw new SettingsError(`${at}: the secret must be base64`);
    }
    let keyName: Name;
    try {
      keyName = Name.parse(name.endsWith('.') ? name : `${name}.`);
    } catch (e) {
      throw new SettingsError(`${at}: ${(e as Error).message}`);
    }
    keys.set(name, { name: keyName, algorithm: algorithm as TsigAlgorithm, secret: Buffer.from(text, 'base64') });
  }
  return keys;
}

export function parseTransferAcl(key: string, v: unknown): Acl {
  try {
    return parseAcl(v);
  } catch (e) {
    throw new SettingsError(`${key}: ${(e as Error).message}`);
  }
}

export function parseNotifyTargets(key: string, v: unknown): ListenAddress[] {
  return (Array.isArray(v) ? v : [v]).map((t) => {
    // A bare address means the DNS port.
    const text = typeof t !== 'string' ? t : Address4.isValid(t) ? `${t}:53` : Address6.isValid(t) ? `[${t}]:53` : t;
    if (typeof text !== 'string') throw new SettingsError(`${key}: expected ADDR:PORT strings`);
    try {
      return parseHostPort(text);
    } catch (e) {
      throw new SettingsError(`${key}: ${(e as Error).message}`);
    }
  });
}

export function parseNotifyMode(key: string, v: unknown): NotifyMode {
  if (v === 'explicit' || v === 'ns' || v === 'off') return v;
  throw new SettingsError(`${key}: expected explicit, ns or off`);
}

function parseTransferKeyName(key: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new SettingsError(`${key}: expected the name of a key under keys`);
  return v;
}

function parseJournalBytes(key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 31) throw new SettingsError(`${key}: expected a number of bytes from 0 to 2147483648`);
  return v;
}

const ZONE_KEYS: Record<string, (s: Partial<ZoneTransferSettings>, v: unknown, at: string) => void> = {
  'allow-transfer': (s, v, at) => { s.allowTransfer = parseTransferAcl(at, v); },
  'transfer-key': (s, v, at) => { s.transferKey = parseTransferKeyName(at, v); },
  'also-notify': (s, v, at) => { s.alsoNotify = parseNotifyTargets(at, v); },
  notify: (s, v, at) => { s.notify = parseNotifyMode(at, v); },
  'allow-query': (s, v, at) => { s.allowQuery = parseTransferAcl(at, v); },
  'ixfr-journal-bytes': (s, v, at) => { s.ixfrJournalBytes = parseJournalBytes(at, v); },
  'update-policy': (s, v, at) => {
    try {
      s.updatePolicy = parseUpdatePolicy(at, v);
    } catch (e) {
      if (e instanceof PolicyError) throw new SettingsError(e.message);
      throw e;
    }
  },
};

/** The same settings at the top level of rotor.yaml set every zone's default. */
export function applyDefault(t: TransferSettings, key: string, v: unknown): void {
  ZONE_KEYS[key]!(t.defaults, v, key);
}

export const TRANSFER_SETTINGS = Object.keys(ZONE_KEYS);

/**
 * zone-settings:
 *   corp.example: { allow-transfer: [127.0.0.1], transfer-key: k, also-notify: [127.0.0.1:5301], notify: ns }
 */
export function parseZoneSettings(v: unknown): Map<string, Partial<ZoneTransferSettings>> {
  const zones = new Map<string, Partial<ZoneTransferSettings>>();
  for (const [zone, spec] of Object.entries(record('zone-settings', v))) {
    const at = `zone-settings.${zone}`;
    let origin: Name;
    try {
      origin = Name.parse(zone.endsWith('.') ? zone : `${zone}.`);
    } catch (e) {
      throw new SettingsError(`${at}: ${(e as Error).message}`);
    }
    const s: Partial<ZoneTransferSettings> = {};
    for (const [k, value] of Object.entries(record(at, spec))) {
      const set = ZONE_KEYS[k];
      if (!set) throw new SettingsError(`${at}: unknown setting "${k}"${suggestion(k, TRANSFER_SETTINGS)}`);
      set(s, value, `${at}.${k}`);
    }
    zones.set(origin.key, s);
  }
  return zones;
}

/** Every transfer-key and update-policy key named must be defined under keys. */
export function checkKeyReferences(t: TransferSettings): void {
  const named = [t.defaults.transferKey, ...[...t.zones.values()].map((z) => z.transferKey)];
  for (const name of named) {
    if (name !== undefined && !t.keys.has(name)) throw new SettingsError(`transfer-key: no key "${name}" under keys`);
  }
  for (const s of [t.defaults, ...t.zones.values()]) {
    for (const g of s.updatePolicy ?? []) if (!t.keys.has(g.key)) throw new SettingsError(`update-policy: no key "${g.key}" under keys`);
  }
}
