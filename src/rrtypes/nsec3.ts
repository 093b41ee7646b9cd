// NSEC3 (RFC 5155 §3) and NSEC3PARAM (§4): hash algorithm, flags, iterations and
// a salt written in hex ("-" when empty); NSEC3 adds the next hashed owner in
// base32hex (RFC 4648 §7, no padding) and a type bitmap.
import { decodeFields, encodeFields, parseFieldText, printFields } from './fields.js';
import { plainType } from './plain.js';
import type { Field, TextArgs } from './rrtype.js';
import { ValueError } from './values.js';

const BASE32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** base32hex (RFC 4648 §7), uppercase, no padding: NSEC3 hashed owners in presentation form. */
export function base32hex(octets: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const o of octets) {
    value = (value << 8) | o;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32hex(text: string): Buffer {
  const upper = text.toUpperCase();
  if (!/^[0-9A-V]+$/.test(upper) || [1, 3, 6].includes(upper.length % 8)) throw new ValueError(`"${text}" is not a base32hex hash (RFC 4648 §7)`);
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of upper) {
    value = ((value << 5) | BASE32HEX.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (out.length > 255) throw new ValueError('an NSEC3 hash is at most 255 octets');
  return Buffer.from(out);
}

function salt(text: string): Buffer {
  if (text === '-') return Buffer.alloc(0);
  if (!/^([0-9A-Fa-f]{2})+$/.test(text) || text.length > 510) throw new ValueError(`"${text}" is not a salt (hex, at most 255 octets, or "-" for none)`);
  return Buffer.from(text, 'hex');
}

const saltText = (s: Buffer) => (s.length ? s.toString('hex').toUpperCase() : '-');

const params: readonly Field[] = [
  { kind: 'u8', label: 'hash algorithm' }, { kind: 'u8', label: 'flags' }, { kind: 'u16', label: 'iterations' }, { kind: 'string', label: 'salt' },
];
const nsec3Fields: readonly Field[] = [...params, { kind: 'string', label: 'next hashed owner' }, { kind: 'types', label: 'type bitmap' }];

const paramValues = (args: TextArgs, mnemonic: string) => [
  args.uint(0, 8, `${mnemonic} hash algorithm`), args.uint(1, 8, `${mnemonic} flags`), args.uint(2, 16, `${mnemonic} iterations`), args.text(3, salt),
];
const paramText = (v: unknown[]) => `${v[0]} ${v[1]} ${v[2]} ${saltText(v[3] as Buffer)}`;

export const NSEC3 = plainType(50, 'NSEC3', nsec3Fields, false, {
  parseText: (args) => encodeFields(nsec3Fields, [
    ...paramValues(args, 'NSEC3'), args.text(4, fromBase32hex), parseFieldText(nsec3Fields[5]!, 5, 'NSEC3 type bitmap', args),
  ]),
  printText: (rdata, name) => {
    const v = decodeFields(nsec3Fields, 'NSEC3', rdata);
    const types = printFields(nsec3Fields.slice(5), v.slice(5), name);
    return `${paramText(v)} ${base32hex(v[4] as Buffer)}${types ? ` ${types}` : ''}`;
  },
});

export const NSEC3PARAM = plainType(51, 'NSEC3PARAM', params, false, {
  parseText: (args) => encodeFields(params, paramValues(args, 'NSEC3PARAM')),
  printText: (rdata) => paramText(decodeFields(params, 'NSEC3PARAM', rdata)),
});
