// BIND's key file pair (dnssec-keygen): K<zone>.+<alg>+<tag>.key holds the
// DNSKEY record in master-file text, K<zone>.+<alg>+<tag>.private the private
// key as "Field: base64" lines (Private-key-format v1.3). Reading both lets rotor
// sign with keys an operator made with BIND's tools, and writing them lets
// BIND's tools use keys rotor made. Both files carry the key's timing metadata.
import { createECDH, createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { Name, NameError } from '../wire/name.js';
import { ALGORITHM_NAMES, DnssecKeyError, isAlgorithm, signingKey, type Algorithm, type SigningKey } from './keys.js';
import type { KeyTimes } from './key-timing.js';

/** A file's text and the name to put in its error messages. */
export interface KeyFileText {
  readonly file: string;
  readonly text: string;
}

/** The RSA private key fields of the .private file, with their JWK names. */
const RSA_FIELDS: readonly [string, keyof JsonWebKey][] = [
  ['Modulus', 'n'], ['PublicExponent', 'e'], ['PrivateExponent', 'd'], ['Prime1', 'p'], ['Prime2', 'q'],
  ['Exponent1', 'dp'], ['Exponent2', 'dq'], ['Coefficient', 'qi'],
];

// An Ed25519 private key's PKCS #8 wrapping (RFC 8410 §7) before its 32-octet seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The key of a .key and .private pair; throws DnssecKeyError at `file:line:col` when either is not one. */
export function readBindKeyPair(key: KeyFileText, priv: KeyFileText): SigningKey {
  const record = readKeyFile(key);
  const fields = readPrivateFile(priv);
  const algorithmText = fields.get('Algorithm');
  if (!algorithmText) throw new DnssecKeyError(`${priv.file}:1:1: no Algorithm line`);
  const algorithm = parseInt(algorithmText.value, 10);
  if (algorithm !== record.algorithm) {
    throw new DnssecKeyError(`${priv.file}:${algorithmText.line}:1: algorithm ${algorithm} is not the .key file's ${record.algorithm}`);
  }
  const loaded = signingKey(record.owner, record.flags, record.algorithm, privateKeyOf(record.algorithm, fields, priv.file));
  if (!loaded.dnskey.equals(record.dnskey)) {
    throw new DnssecKeyError(`${priv.file}:1:1: the private key is not the one of ${key.file}'s DNSKEY`);
  }
  return loaded;
}

interface KeyRecord {
  readonly owner: Name;
  readonly flags: number;
  readonly algorithm: Algorithm;
  readonly dnskey: Buffer;
}

/** The DNSKEY line of a .key file: owner, optional TTL and class, DNSKEY, flags, protocol, algorithm, base64 key. */
function readKeyFile({ file, text }: KeyFileText): KeyRecord {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/;.*/, '');
    if (line.trim() === '') continue;
    const where = `${file}:${i + 1}:1`;
    const tokens = line.trim().split(/\s+/);
    let at = 1;
    if (/^\d+$/.test(tokens[at] ?? '')) at++;
    if (/^(IN|CH|HS)$/i.test(tokens[at] ?? '')) at++;
    if (tokens[at]?.toUpperCase() !== 'DNSKEY') throw new DnssecKeyError(`${where}: expected a DNSKEY record`);
    const [flags, protocol, algorithm] = tokens.slice(at + 1, at + 4).map((t) => (/^\d+$/.test(t) ? Number(t) : NaN));
    if (flags === undefined || !(flags <= 0xffff) || protocol !== 3 || algorithm === undefined) {
      throw new DnssecKeyError(`${where}: expected DNSKEY flags, protocol 3 and an algorithm`);
    }
    if (!isAlgorithm(algorithm)) throw new DnssecKeyError(`${where}: DNSSEC algorithm ${algorithm} is not supported (8, 13 and 15 are)`);
    const base64 = tokens.slice(at + 4).join('');
    if (!/^[A-Za-z0-9+/]+=*$/.test(base64)) throw new DnssecKeyError(`${where}: the public key is not base64`);
    let owner: Name;
    try {
      owner = Name.parse(tokens[0]!);
    } catch (e) {
      if (e instanceof NameError) throw new DnssecKeyError(`${where}: bad owner name: ${e.message}`);
      throw e;
    }
    const head = Buffer.of(flags >> 8, flags & 0xff, 3, algorithm);
    return { owner, flags, algorithm, dnskey: Buffer.concat([head, Buffer.from(base64, 'base64')]) };
  }
  throw new DnssecKeyError(`${file}:1:1: no DNSKEY record`);
}

type PrivateFields = Map<string, { value: string; line: number }>;

function readPrivateFile({ file, text }: KeyFileText): PrivateFields {
  const fields: PrivateFields = new Map();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 1) throw new DnssecKeyError(`${file}:${i + 1}:1: expected "Field: value"`);
    fields.set(line.slice(0, colon), { value: line.slice(colon + 1).trim(), line: i + 1 });
  }
  return fields;
}

function privateKeyOf(algorithm: Algorithm, fields: PrivateFields, file: string): KeyObject {
  const octets = (name: string): Buffer => {
    const f = fields.get(name);
    if (!f) throw new DnssecKeyError(`${file}:1:1: no ${name} line`);
    if (!/^[A-Za-z0-9+/]+=*$/.test(f.value)) throw new DnssecKeyError(`${file}:${f.line}:${name.length + 3}: ${name} is not base64`);
    return Buffer.from(f.value, 'base64');
  };
  try {
    if (algorithm === 15) {
      const seed = octets('PrivateKey');
      if (seed.length !== 32) throw new DnssecKeyError(`${file}:1:1: an Ed25519 PrivateKey is 32 octets, not ${seed.length}`);
      return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    }
    if (algorithm === 13) {
      const d = octets('PrivateKey');
      if (d.length !== 32) throw new DnssecKeyError(`${file}:1:1: an ECDSA P-256 PrivateKey is 32 octets, not ${d.length}`);
      // The file has only the scalar: the public point is computed from it.
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(d);
      const q = ecdh.getPublicKey(); // 04 || x || y
      const jwk = { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: q.subarray(1, 33).toString('base64url'), y: q.subarray(33).toString('base64url') };
      return createPrivateKey({ key: jwk, format: 'jwk' });
    }
    const jwk: JsonWebKey = { kty: 'RSA' };
    for (const [field, name] of RSA_FIELDS) jwk[name] = octets(field).toString('base64url');
    return createPrivateKey({ key: jwk, format: 'jwk' });
  } catch (e) {
    if (e instanceof DnssecKeyError) throw e;
    throw new DnssecKeyError(`${file}:1:1: not a valid ${ALGORITHM_NAMES[algorithm]} private key: ${(e as Error).message}`);
  }
}

/** The timing fields as BIND writes them, in its order, with the KeyTimes field each fills. */
const TIME_FIELDS: readonly [string, keyof KeyTimes][] = [
  ['Created', 'created'], ['Publish', 'publish'], ['Activate', 'activate'], ['Inactive', 'inactive'], ['Delete', 'delete'],
  ['SyncPublish', 'syncPublish'], ['SyncDelete', 'syncDelete'],
];

/** BIND's timestamp form, YYYYMMDDHHMMSS in UTC. */
function stamp(when: Date): string {
  return when.toISOString().replace(/[-T:]/g, '').slice(0, 14);
}

/** A timestamp as BIND reads it: YYYYMMDDHHMMSS (UTC), or seconds since 1970 (what old files hold); undefined if neither. */
function parseStamp(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return /^\d{1,10}$/.test(text) ? new Date(Number(text) * 1000) : undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const when = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return when.getUTCMonth() === mo - 1 && when.getUTCDate() === d && h < 24 && mi < 60 && s < 61 ? when : undefined;
}

/** ctime's form, which BIND adds after each stamp in the .key file's comments: "Thu Dec  3 07:16:38 2026". */
function ctime(when: Date): string {
  const [day, date, month, year, time] = when.toUTCString().replace(',', '').split(' ') as [string, string, string, string, string];
  return `${day} ${month} ${date.replace(/^0/, ' ')} ${time} ${year}`;
}

/**
 * The timing metadata of a .private file; throws DnssecKeyError at `file:line:col`
 * for a stamp that is not one. A file with no Publish, Activate, Inactive or
 * Delete line (Private-key-format v1.2 and before) is a key published and active
 * since ever, as BIND's dnssec-signzone takes it.
 */
export function readKeyTimes(priv: KeyFileText): KeyTimes {
  const fields = readPrivateFile(priv);
  const times: KeyTimes = {};
  for (const [field, name] of TIME_FIELDS) {
    const f = fields.get(field);
    if (!f) continue;
    const when = parseStamp(f.value);
    if (!when) throw new DnssecKeyError(`${priv.file}:${f.line}:${field.length + 3}: ${field} is not a time (YYYYMMDDHHMMSS)`);
    times[name] = when;
  }
  if (!times.publish && !times.activate && !times.inactive && !times.delete) times.publish = times.activate = new Date(0);
  return times;
}

/**
 * The pair dnssec-keygen would write for `key` with these times: the base name
 * (K<zone>.+<alg>+<tag>) and both files' text, the times as lines of the
 * .private file and comments of the .key file, in BIND's order and forms.
 */
export function bindKeyFiles(key: SigningKey, times: KeyTimes): { base: string; key: string; private: string } {
  const alg = String(key.algorithm).padStart(3, '0');
  const tag = String(key.tag).padStart(5, '0');
  const zone = key.owner.toString();
  const kind = key.flags & 1 ? 'key-signing' : 'zone-signing';
  const set = TIME_FIELDS.flatMap(([field, name]) => (times[name] ? [[field, times[name]] as const] : []));
  const keyText = [
    `; This is a ${kind} key, keyid ${key.tag}, for ${zone}`,
    ...set.map(([field, when]) => `; ${field}: ${stamp(when)} (${ctime(when)})`),
    // BIND writes the key in words of 56 characters.
    `${zone} IN DNSKEY ${key.flags} 3 ${key.algorithm} ${key.dnskey.subarray(4).toString('base64').match(/.{1,56}/g)!.join(' ')}`,
  ];
  const jwk = key.privateKey.export({ format: 'jwk' });
  const b64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64url').toString('base64');
  const secret = key.algorithm === 8 ? RSA_FIELDS.map(([field, name]) => `${field}: ${b64(jwk[name] as string)}`) : [`PrivateKey: ${b64(jwk.d)}`];
  const privText = [
    'Private-key-format: v1.3',
    `Algorithm: ${key.algorithm} (${ALGORITHM_NAMES[key.algorithm]})`,
    ...secret,
    ...set.map(([field, when]) => `${field}: ${stamp(when)}`),
  ];
  return { base: `K${zone}+${alg}+${tag}`, key: keyText.join('\n') + '\n', private: privText.join('\n') + '\n' };
}
