// The types that end in a digest or certificate data written in hex: DS and CDS
// (RFC 4034 §5, RFC 7344), SSHFP (RFC 4255), TLSA and SMIMEA (RFC 6698, RFC 8162),
// ZONEMD (RFC 8976). `rotor check` warns when a digest's length does not fit its
// digest type; octoDNS's field names make their YAML shape (SMIMEA takes TLSA's).
import { decodeFields, encodeFields, parseHex } from './fields.js';
import { algorithmFromText } from './dnssec-names.js';
import { plainType } from './plain.js';
import type { Field, RRTypeModule, YamlValue } from './rrtype.js';

/** A YAML scalar of hex digits (blanks allowed, as octoDNS strips them). */
function hexValue(node: YamlValue, what: string): Buffer {
  const text = node.text(what).replace(/\s+/g, '');
  try {
    return parseHex(text);
  } catch (e) {
    return node.fail(`${what}: ${(e as Error).message}`);
  }
}

type Numbers = readonly { key: string; label: string; bits: 8 | 16 | 32; named?: (text: string) => number | undefined }[];

/** An older YAML shape still read: its keys for the same fields, and the warning it gets. */
interface LegacyShape {
  numbers: Numbers;
  hexKey: string;
  /** A key only the older shape has. */
  marks: readonly string[];
  warning: string;
}

/** A type of numbers then a hex field; YAML a mapping of `numbers` keys and `hexKey` (or `legacy`'s, with a warning). */
function digestType(
  code: number, mnemonic: string, numbers: Numbers, hexKey: string, lengths: (values: number[]) => number | undefined, octoDNS: boolean,
  legacy?: LegacyShape,
): RRTypeModule {
  const fields: Field[] = [...numbers.map((n): Field => ({ kind: `u${n.bits}`, label: n.label, ...(n.named ? { named: n.named } : {}) })), { kind: 'hex', label: 'digest' }];
  const split = (rdata: Buffer) => {
    const values = decodeFields(fields, mnemonic, rdata);
    return { numbers: values.slice(0, -1) as number[], digest: values[values.length - 1] as Buffer };
  };
  const yaml: RRTypeModule['yaml'] = {
    parse: (v: YamlValue) => {
      const old = legacy && legacy.marks.some((k) => v.has(k)) ? legacy : undefined;
      if (old) v.warn(old.warning);
      const shape = old ?? { numbers, hexKey };
      const values = shape.numbers.map((n) => v.uint(n.key, n.bits, mnemonic));
      const node = v.field(shape.hexKey, mnemonic);
      return encodeFields(fields, [...values, hexValue(node, `${mnemonic} ${shape.hexKey}`)]);
    },
    print: (rdata) => {
      const { numbers: values, digest } = split(rdata);
      const out: Record<string, unknown> = {};
      numbers.forEach((n, i) => (out[n.key] = values[i]));
      out[hexKey] = digest.toString('hex');
      return { value: out };
    },
  };
  return plainType(code, mnemonic, fields, false, {
    ...(octoDNS ? { yaml } : {}),
    check: (rdata) => {
      const { numbers: values, digest } = split(rdata);
      const want = lengths(values);
      return want !== undefined && digest.length !== want
        ? [`${mnemonic} digest is ${digest.length} octets; digest type ${values[values.length - 1]} takes ${want}`]
        : [];
    },
  });
}

// Digest octets by type: DS (RFC 4509, RFC 6605: SHA-1, SHA-256, GOST, SHA-384), SSHFP (SHA-1, SHA-256),
// TLSA matching types (1 SHA-256, 2 SHA-512), ZONEMD hash algorithms (1 SHA-384, 2 SHA-512).
const DS_LENGTHS: Record<number, number> = { 1: 20, 2: 32, 3: 32, 4: 48 };
const SSHFP_LENGTHS: Record<number, number> = { 1: 20, 2: 32 };
const TLSA_LENGTHS: Record<number, number> = { 1: 32, 2: 64 };
const ZONEMD_LENGTHS: Record<number, number> = { 1: 48, 2: 64 };

const dsNumbers: Numbers = [
  { key: 'key_tag', label: 'key tag', bits: 16 }, { key: 'algorithm', label: 'algorithm', bits: 8, named: algorithmFromText }, { key: 'digest_type', label: 'digest type', bits: 8 },
];
const dsLength = (v: number[]) => DS_LENGTHS[v[2]!];
// octoDNS before 1.x named DS's fields after DNSKEY's; it still reads them (until 2.0), in this order.
const dsLegacy: LegacyShape = {
  numbers: [{ key: 'flags', label: 'key tag', bits: 16 }, { key: 'protocol', label: 'algorithm', bits: 8 }, { key: 'algorithm', label: 'digest type', bits: 8 }],
  hexKey: 'public_key',
  marks: ['flags', 'public_key'],
  warning: 'DS fields flags, protocol, algorithm, public_key are deprecated (octoDNS reads them as key_tag, algorithm, digest_type, digest until 2.0): write those names',
};
export const DS = digestType(43, 'DS', dsNumbers, 'digest', dsLength, true, dsLegacy);
// "0 0 0 00" asks the parent to delete the DS set (RFC 8078 §4): one octet of digest type 0.
export const CDS = digestType(59, 'CDS', dsNumbers, 'digest', dsLength, true);

export const SSHFP = digestType(44, 'SSHFP', [
  { key: 'algorithm', label: 'algorithm', bits: 8 }, { key: 'fingerprint_type', label: 'fingerprint type', bits: 8 },
], 'fingerprint', (v) => SSHFP_LENGTHS[v[1]!], true);

const tlsaNumbers: Numbers = [
  { key: 'certificate_usage', label: 'certificate usage', bits: 8 }, { key: 'selector', label: 'selector', bits: 8 },
  { key: 'matching_type', label: 'matching type', bits: 8 },
];
const tlsaLength = (v: number[]) => TLSA_LENGTHS[v[2]!];
export const TLSA = digestType(52, 'TLSA', tlsaNumbers, 'certificate_association_data', tlsaLength, true);
export const SMIMEA = digestType(53, 'SMIMEA', tlsaNumbers, 'certificate_association_data', tlsaLength, true);

export const ZONEMD = digestType(63, 'ZONEMD', [
  { key: 'serial', label: 'serial', bits: 32 }, { key: 'scheme', label: 'scheme', bits: 8 }, { key: 'hash_algorithm', label: 'hash algorithm', bits: 8 },
], 'digest', (v) => ZONEMD_LENGTHS[v[2]!], false);
