// CERT (RFC 4398 §2): certificate type (a mnemonic in text), key tag, algorithm, base64 data.
import { decodeFields, encodeFields, parseFieldText, printFields } from './fields.js';
import { algorithmFromText } from './dnssec-names.js';
import { plainType } from './plain.js';
import type { Field } from './rrtype.js';
import { ValueError } from './values.js';

const fields: readonly Field[] = [
  { kind: 'u16', label: 'type' }, { kind: 'u16', label: 'key tag' }, { kind: 'u8', label: 'algorithm' }, { kind: 'base64', label: 'certificate' },
];

const CERT_TYPES: Record<string, number> = { PKIX: 1, SPKI: 2, PGP: 3, IPKIX: 4, ISPKI: 5, IPGP: 6, ACPKIX: 7, IACPKIX: 8, URI: 253, OID: 254 };
const certTypeNames = new Map(Object.entries(CERT_TYPES).map(([k, v]) => [v, k]));

function certType(text: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : CERT_TYPES[text.toUpperCase()];
  if (n === undefined || n > 0xffff) throw new ValueError(`"${text}" is not a CERT type (a number or ${Object.keys(CERT_TYPES).join(', ')})`);
  return n;
}

function algorithm(text: string): number {
  const n = algorithmFromText(text);
  if (n === undefined) throw new ValueError(`"${text}" is not a DNSSEC algorithm number or mnemonic`);
  return n;
}

export const CERT = plainType(37, 'CERT', fields, false, {
  parseText: (args) => {
    const head = [args.text(0, certType), args.uint(1, 16, 'CERT key tag'), args.text(2, algorithm)];
    return encodeFields(fields, [...head, parseFieldText(fields[3]!, 3, 'CERT certificate', args)]);
  },
  printText: (rdata, name) => {
    const values = decodeFields(fields, 'CERT', rdata);
    const type = certTypeNames.get(values[0] as number) ?? String(values[0]);
    return `${type} ${printFields(fields.slice(1), values.slice(1), name)}`;
  },
});
