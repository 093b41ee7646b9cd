// AAAA (RFC 3596): one IPv6 address.
import type { RRTypeModule } from './rrtype.js';
import { ipv6Bytes, ipv6Text } from './values.js';

export const AAAA: RRTypeModule = {
  code: 28,
  mnemonic: 'AAAA',
  fields: [{ kind: 'ipv6', label: 'address' }],
  compress: false,
  decompress: false,
  canonicalLower: false,
  yaml: {
    parse: (v) => ipv6Bytes(v.text('AAAA value')),
    print: (rdata) => ({ value: ipv6Text(rdata) }),
  },
};
