// AAAA (RFC 3596): one IPv6 address.
import type { RRTypeModule } from './rrtype.js';
import { ipv6Text, parseIPv6 } from './values.js';

export const AAAA: RRTypeModule = {
  code: 28,
  mnemonic: 'AAAA',
  fields: [{ kind: 'ipv6', label: 'address' }],
  compress: false,
  decompress: false,
  canonicalLower: false,
  yaml: {
    parse: (v) => parseIPv6(v.text('AAAA value')).bytes,
    print: (rdata) => ({ value: ipv6Text(rdata) }),
  },
};
