// A (RFC 1035 §3.4.1): one IPv4 address.
import type { RRTypeModule } from './rrtype.js';
import { parseIPv4 } from './values.js';

export const A: RRTypeModule = {
  code: 1,
  mnemonic: 'A',
  fields: [{ kind: 'ipv4', label: 'address' }],
  compress: false,
  decompress: false,
  canonicalLower: false,
  yaml: {
    parse: (v) => parseIPv4(v.text('A value')).bytes,
    print: (rdata) => ({ value: [...rdata].join('.') }),
  },
};
