// DNSKEY (RFC 4034 §2) and CDNSKEY (RFC 7344 §3.2): flags, protocol, algorithm, key.
import { algorithmFromText } from './dnssec-names.js';
import { plainType } from './plain.js';
import type { Field } from './rrtype.js';

const fields: readonly Field[] = [
  { kind: 'u16', label: 'flags' }, { kind: 'u8', label: 'protocol' }, { kind: 'u8', label: 'algorithm', named: algorithmFromText }, { kind: 'base64', label: 'public key' },
];

export const DNSKEY = plainType(48, 'DNSKEY', fields, false);
export const CDNSKEY = plainType(60, 'CDNSKEY', fields, false);
