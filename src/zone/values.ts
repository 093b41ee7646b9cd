// Parsers for the pieces of record data that every zone format shares. Each throws
// ValueError with a message fit to follow "file:line:col: error: ".
import { Address4, Address6 } from 'ip-address';
import { Name, NameError } from '../wire/name.js';

export class ValueError extends Error {}

export function parseIPv4(text: string): { address: string; bytes: Buffer } {
  // ip-address also accepts prefixes ("/24"); a record holds one plain address.
  if (text.includes('/')) throw new ValueError(`"${text}" is a prefix, not an IPv4 address`);
  let a: Address4;
  try {
    a = new Address4(text);
  } catch (e) {
    throw new ValueError(`"${text}" is not an IPv4 address (${(e as Error).message})`);
  }
  return { address: a.correctForm(), bytes: Buffer.from(a.toArray()) };
}

export function parseIPv6(text: string): { address: string; bytes: Buffer } {
  if (text.includes('/')) throw new ValueError(`"${text}" is a prefix, not an IPv6 address`);
  if (text.includes('%')) throw new ValueError(`"${text}" has a zone ID; a record holds a plain IPv6 address`);
  let a: Address6;
  try {
    a = new Address6(text);
  } catch (e) {
    throw new ValueError(`"${text}" is not an IPv6 address (${(e as Error).message})`);
  }
  return { address: a.correctForm(), bytes: Buffer.from(a.toByteArray().slice(-16)) };
}

export function parseDomainName(text: string, origin: Name): Name {
  try {
    return Name.parse(text, origin);
  } catch (e) {
    if (e instanceof NameError) throw new ValueError(`bad name: ${e.message}`);
    throw e;
  }
}

export function checkUint(value: unknown, bits: 8 | 16 | 32, what: string): number {
  const max = 2 ** bits - 1;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new ValueError(`${what} must be an integer from 0 to ${max}, not ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Splits text into character-strings of at most 255 octets (RFC 1035 §3.3.14),
 * as octoDNS and BIND do for long TXT values such as DKIM keys.
 */
export function splitCharacterStrings(octets: Buffer): Buffer[] {
  if (octets.length === 0) return [Buffer.alloc(0)];
  const out: Buffer[] = [];
  for (let i = 0; i < octets.length; i += 255) out.push(octets.subarray(i, i + 255));
  return out;
}
