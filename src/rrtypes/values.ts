// Parsers for the pieces of record data that every zone format shares. Each throws
// ValueError with a message fit to follow "file:line:col: error: ".
import { Address4, Address6 } from 'ip-address';
import { Name, NameError } from '../wire/name.js';

export class ValueError extends Error {}

// The forms nearly every zone file writes, parsed without ip-address (whose
// objects and BigInts cost several microseconds an address, seconds in a large
// zone). Anything else goes to ip-address, which also words the errors.

/** Four decimal octets 0 to 255 without leading zeros, as 4 octets; undefined for any other form. */
function dottedQuad(text: string): Buffer | undefined {
  const n = text.length;
  if (n < 7 || n > 15) return undefined;
  // From Buffer's shared pool, as Buffer.from(array) would take it.
  const bytes = Buffer.allocUnsafe(4);
  let octets = 0;
  let value = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || (leadingZero && digits > 1) || octets === 4) return undefined;
      bytes[octets++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 0) leadingZero = c === 0x30;
      if (++digits > 3) return undefined;
      value = value * 10 + (c - 0x30);
    } else {
      return undefined;
    }
  }
  return octets === 4 ? bytes : undefined;
}

/** Hex groups with at most one "::", as 16 octets; undefined for any other form. */
function plainIPv6(text: string): Buffer | undefined {
  if (!/^[0-9A-Fa-f:]{2,39}$/.test(text)) return undefined;
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::')) return undefined;
  const head = gap < 0 ? text.split(':') : gap === 0 ? [] : text.slice(0, gap).split(':');
  const tail = gap < 0 || gap + 2 === text.length ? [] : text.slice(gap + 2).split(':');
  const missing = 8 - head.length - tail.length;
  if (gap < 0 ? missing !== 0 : missing < 1) return undefined;
  // From Buffer's shared pool (alloc would give each address an ArrayBuffer of its own).
  const bytes = Buffer.allocUnsafe(16).fill(0);
  const put = (groups: string[], from: number): boolean => groups.every((g, i) => {
    if (g.length === 0 || g.length > 4) return false;
    bytes.writeUInt16BE(parseInt(g, 16), (from + i) * 2);
    return true;
  });
  return put(head, 0) && put(tail, 8 - tail.length) ? bytes : undefined;
}

/** RFC 5952 text: lowercase, no leading zeros, the first longest run of two or more zero groups as "::". */
export function ipv6Text(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]) => g.map((v) => v.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLength))}`;
}

export function parseIPv4(text: string): { address: string; bytes: Buffer } {
  const quad = dottedQuad(text);
  if (quad) return { address: text, bytes: quad };
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

/** parseIPv6(text).bytes, without the text of the address for the usual forms. */
export function ipv6Bytes(text: string): Buffer {
  return plainIPv6(text) ?? parseIPv6(text).bytes;
}

export function parseIPv6(text: string): { address: string; bytes: Buffer } {
  const plain = plainIPv6(text);
  if (plain) return { address: ipv6Text(plain), bytes: plain };
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
  // '@' is the origin, as in master files (RFC 1035 §5.1).
  if (text === '@') return origin;
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
