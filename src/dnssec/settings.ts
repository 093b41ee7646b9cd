// The `dnssec:` settings of rotor.yaml, globally and per zone, and the policy
// they give a zone: the zone's own fields over the global ones over the defaults.
import { resolve } from 'node:path';
import { suggestion } from '../suggest.js';
import type { Name } from '../wire/name.js';
import { parseTtl } from '../zone/masterfile.js';
import { Algorithm } from './keys.js';
import type { DnssecPolicy, Nsec3Settings } from './policy.js';

export class DnssecSettingsError extends Error {}

/** What one `dnssec:` block sets; the rest comes from the block above it. */
export interface DnssecBlock {
  algorithm?: Algorithm;
  keys?: DnssecPolicy['keys'];
  denial?: DnssecPolicy['denial'];
  nsec3?: Partial<Nsec3Settings>;
  signatureValidity?: number;
  refresh?: number;
  dnskeyTtl?: number;
  keyDirectory?: string;
}

export interface DnssecSettings {
  /** The key directory unless a block names one: `keys` beside rotor.yaml. */
  keyDirectory: string;
  /** The top-level block; without it, only zones with their own block are signed. */
  global?: DnssecBlock;
  /** By zone key: its own block, or false (`dnssec: false`, unsigned), and where it is written. */
  zones: ReadonlyMap<string, { at: string; block: DnssecBlock | false }>;
}

export const DNSSEC_KEYS = ['algorithm', 'keys', 'denial', 'nsec3', 'signature-validity', 'refresh', 'dnskey-ttl', 'key-directory'];
export const NSEC3_KEYS = ['iterations', 'salt', 'opt-out'];

const ALGORITHMS: Record<string, Algorithm> = { ecdsap256sha256: Algorithm.ECDSAP256SHA256, ed25519: Algorithm.ED25519, rsasha256: Algorithm.RSASHA256 };
const KEY_SCHEMES = ['csk', 'ksk+zsk'] as const;
const DENIALS = ['nsec', 'nsec3'] as const;
const DAY = 86_400;

/**
 * The defaults (docs/configuration.md says why): RFC 8624's algorithm to sign
 * with, one combined key and NSEC as BIND's default dnssec-policy has them,
 * RFC 9276's NSEC3 parameters, BIND's signature validity and refresh, and its
 * DNSKEY TTL.
 */
export const DNSSEC_DEFAULTS: Omit<DnssecPolicy, 'keyDirectory'> = {
  algorithm: Algorithm.ECDSAP256SHA256,
  keys: 'csk',
  denial: 'nsec',
  nsec3: { iterations: 0, salt: Buffer.alloc(0), optOut: false },
  signatureValidity: 14 * DAY,
  refresh: 7 * DAY,
  dnskeyTtl: 3600,
};

/** Above this, validators (BIND 9.18, Unbound) treat an NSEC3 zone as insecure (RFC 9276 §3.2). */
const MAX_ITERATIONS = 150;

function oneOf<T extends string>(key: string, v: unknown, choices: readonly T[]): T {
  const text = typeof v === 'string' ? v.toLowerCase() : v;
  if (typeof text !== 'string' || !(choices as readonly string[]).includes(text)) {
    throw new DnssecSettingsError(`${key}: expected ${choices.join(', ')}, got ${JSON.stringify(v)}${typeof v === 'string' ? suggestion(v, [...choices]) : ''}`);
  }
  return text as T;
}

/** Seconds, or a duration as BIND writes TTLs (14d, 1w, 2h30m). */
function duration(key: string, v: unknown, min: number): number {
  const seconds = typeof v === 'number' ? v : typeof v === 'string' ? parseTtl(v) : undefined;
  if (seconds === undefined || !Number.isInteger(seconds) || seconds < min || seconds > 0x7fffffff) {
    throw new DnssecSettingsError(`${key}: expected a duration such as 14d, 12h or 3600 (seconds), at least ${min} s, got ${JSON.stringify(v)}`);
  }
  return seconds;
}

function mapping(key: string, v: unknown, allowed: string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DnssecSettingsError(`${key}: expected a mapping of ${allowed.join(', ')}`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new DnssecSettingsError(`${key}: unknown key "${k}"${suggestion(k, allowed)}`);
  }
  return v as Record<string, unknown>;
}

function parseNsec3(key: string, v: unknown, warnings: string[]): Partial<Nsec3Settings> {
  const m = mapping(key, v, NSEC3_KEYS);
  const out: Partial<Nsec3Settings> = {};
  if (m.iterations !== undefined) {
    const n = m.iterations;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ITERATIONS) {
      throw new DnssecSettingsError(`${key}.iterations: expected an integer from 0 to ${MAX_ITERATIONS} (validators treat more as insecure; RFC 9276 says 0), got ${JSON.stringify(n)}`);
    }
    if (n > 0) warnings.push(`${key}.iterations: ${n} extra iterations cost every validator and hide nothing (RFC 9276 §3.1: use 0)`);
    out.iterations = n;
  }
  if (m.salt !== undefined) {
    const s = m.salt;
    // BIND writes no salt as "-".
    if (typeof s !== 'string' || !/^(-|([0-9a-f]{2}){0,255})$/i.test(s)) {
      throw new DnssecSettingsError(`${key}.salt: expected hex digits in quotes, up to 255 octets, or "" for none, got ${JSON.stringify(s)}`);
    }
    out.salt = Buffer.from(s === '-' ? '' : s, 'hex');
    if (out.salt.length > 0) warnings.push(`${key}.salt: a salt adds nothing against zone walking (RFC 9276 §3.1: use "")`);
  }
  if (m['opt-out'] !== undefined) {
    if (typeof m['opt-out'] !== 'boolean') throw new DnssecSettingsError(`${key}.opt-out: expected true or false, got ${JSON.stringify(m['opt-out'])}`);
    out.optOut = m['opt-out'];
  }
  return out;
}

/**
 * A `dnssec:` block at `key`: a mapping of DNSSEC_KEYS, true (every default) or
 * false (unsigned). Paths are relative to `base`; warnings are pushed as `key: message`.
 */
export function parseDnssecBlock(key: string, v: unknown, base: string, warnings: string[]): DnssecBlock | false {
  if (v === false || v === 'off') return false;
  if (v === true || v === 'on' || v === null) return {};
  const m = mapping(key, v, DNSSEC_KEYS);
  const block: DnssecBlock = {};
  if (m.algorithm !== undefined) block.algorithm = ALGORITHMS[oneOf(`${key}.algorithm`, m.algorithm, Object.keys(ALGORITHMS))];
  if (m.keys !== undefined) block.keys = oneOf(`${key}.keys`, m.keys, KEY_SCHEMES);
  if (m.denial !== undefined) block.denial = oneOf(`${key}.denial`, m.denial, DENIALS);
  if (m.nsec3 !== undefined) block.nsec3 = parseNsec3(`${key}.nsec3`, m.nsec3, warnings);
  if (m['signature-validity'] !== undefined) block.signatureValidity = duration(`${key}.signature-validity`, m['signature-validity'], 2);
  if (m.refresh !== undefined) block.refresh = duration(`${key}.refresh`, m.refresh, 1);
  if (m['dnskey-ttl'] !== undefined) block.dnskeyTtl = duration(`${key}.dnskey-ttl`, m['dnskey-ttl'], 0);
  if (m['key-directory'] !== undefined) {
    if (typeof m['key-directory'] !== 'string' || m['key-directory'] === '') throw new DnssecSettingsError(`${key}.key-directory: expected a directory path`);
    block.keyDirectory = resolve(base, m['key-directory']);
  }
  return block;
}

/** Two blocks for the same zone: the later one's fields win, one by one. */
export function mergeDnssecBlocks(old: DnssecBlock | false | undefined, added: DnssecBlock | false): DnssecBlock | false {
  if (added === false || old === false || old === undefined) return added;
  return { ...old, ...added, nsec3: old.nsec3 || added.nsec3 ? { ...old.nsec3, ...added.nsec3 } : undefined };
}

function policyOf(s: DnssecSettings, blocks: DnssecBlock[]): DnssecPolicy {
  const policy: DnssecPolicy = { ...DNSSEC_DEFAULTS, keyDirectory: s.keyDirectory };
  for (const b of blocks) {
    const { nsec3, ...fields } = b;
    Object.assign(policy, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
    if (nsec3) policy.nsec3 = { ...policy.nsec3, ...nsec3 };
  }
  return policy;
}

/** The policy of the zone `origin`, or undefined when it is not signed. */
export function dnssecPolicy(s: DnssecSettings, origin: Name): DnssecPolicy | undefined {
  const own = s.zones.get(origin.key);
  if (own?.block === false) return undefined;
  if (!own && !s.global) return undefined;
  return policyOf(s, [s.global ?? {}, own?.block ?? {}]);
}

/** What can be wrong only once the blocks are put together: refresh must come before expiry. */
export function checkDnssecSettings(s: DnssecSettings): void {
  const check = (at: string, blocks: DnssecBlock[]) => {
    const p = policyOf(s, blocks);
    if (p.refresh >= p.signatureValidity) {
      throw new DnssecSettingsError(`${at}: refresh (${p.refresh} s) must be less than signature-validity (${p.signatureValidity} s), or signatures expire before they are made again`);
    }
  };
  if (s.global) check('dnssec', [s.global]);
  for (const { at, block } of s.zones.values()) if (block) check(at, [s.global ?? {}, block]);
}
