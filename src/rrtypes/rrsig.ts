// RRSIG (RFC 4034 §3): the covered type as a mnemonic and the validity period as
// YYYYMMDDHHmmSS in text; the signer's name is lowercased in canonical form.
import type { Name } from '../wire/name.js';
import { typeFromName, typeName } from '../wire/types.js';
import { decodeFields, encodeFields, parseFieldText, printFields } from './fields.js';
import { algorithmFromText } from './dnssec-names.js';
import { plainType } from './plain.js';
import type { Field } from './rrtype.js';
import { ValueError } from './values.js';

const fields: readonly Field[] = [
  { kind: 'u16', label: 'type covered' }, { kind: 'u8', label: 'algorithm' }, { kind: 'u8', label: 'labels' },
  { kind: 'u32', label: 'original TTL' }, { kind: 'u32', label: 'signature expiration' }, { kind: 'u32', label: 'signature inception' },
  { kind: 'u16', label: 'key tag' }, { kind: 'name', label: "signer's name" }, { kind: 'base64', label: 'signature' },
];

/** RFC 4034 §3.2: YYYYMMDDHHmmSS in UTC, or a number of seconds since 1970 (taken modulo 2^32). */
function time(text: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(text);
  if (!m) {
    if (/^\d{1,10}$/.test(text) && Number(text) <= 0xffffffff) return Number(text);
    throw new ValueError(`"${text}" is not a time (YYYYMMDDHHmmSS in UTC)`);
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new ValueError(`"${text}" is not a valid date and time`);
  // Serial-number arithmetic (RFC 4034 §3.1.5): years before 1970 or after 2106 wrap.
  return (((ms / 1000) % 2 ** 32) + 2 ** 32) % 2 ** 32;
}

/**
 * YYYYMMDDHHmmSS of a 32-bit time as BIND prints it (dns_time32_totext): of the
 * dates congruent to it modulo 2^32, the one closest to now by serial-number
 * arithmetic (RFC 1982), so that a time up to 68 years ahead prints in the
 * future and anything else in the past (today, 2096 prints as 1960), and a
 * signature of 2107 still prints as 2107 after 2038.
 */
function timeText(seconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const ahead = (seconds - (now % 2 ** 32) + 2 ** 32) % 2 ** 32;
  const t = ahead > 0 && ahead < 2 ** 31 ? now + ahead : now - ((2 ** 32 - ahead) % 2 ** 32);
  return new Date(t * 1000).toISOString().replace(/[-T:]/g, '').slice(0, 14);
}

export const RRSIG = plainType(46, 'RRSIG', fields, true, {
  parseText: (args) => encodeFields(fields, [
    args.text(0, (t) => {
      const type = typeFromName(t);
      if (type === undefined) throw new ValueError(`unknown record type "${t}" in RRSIG type covered`);
      return type;
    }),
    args.text(1, (t) => {
      const n = algorithmFromText(t);
      if (n === undefined) throw new ValueError(`"${t}" is not a DNSSEC algorithm number or mnemonic`);
      return n;
    }),
    args.uint(2, 8, 'RRSIG labels'), args.duration(3, 'RRSIG original TTL'),
    args.text(4, time), args.text(5, time), args.uint(6, 16, 'RRSIG key tag'), args.name(7),
    parseFieldText(fields[8]!, 8, 'RRSIG signature', args),
  ]),
  printText: (rdata, name) => {
    const v = decodeFields(fields, 'RRSIG', rdata);
    return `${typeName(v[0] as number)} ${v[1]} ${v[2]} ${v[3]} ${timeText(v[4] as number)} ${timeText(v[5] as number)} ${v[6]} ${name(v[7] as Name)} ${printFields(fields.slice(8), v.slice(8), name)}`;
  },
});
