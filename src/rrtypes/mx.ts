// MX (RFC 1035 §3.3.9): the exchange's address records go in the additional section.
import type { Name } from '../wire/name.js';
import { decodeFields, encodeFields } from './fields.js';
import type { Field, RRTypeModule } from './rrtype.js';

const fields: readonly Field[] = [{ kind: 'u16', label: 'preference' }, { kind: 'name', label: 'exchange' }];

/** The preference and exchange of MX data (the status page shows them). */
export function mxData(rdata: Buffer): { preference: number; exchange: Name } {
  const [preference, exchange] = decodeFields(fields, 'MX', rdata) as [number, Name];
  return { preference, exchange };
}

export const MX: RRTypeModule = {
  code: 15,
  mnemonic: 'MX',
  fields,
  compress: true,
  decompress: true,
  canonicalLower: true,
  additional: 1,
  target: 1,
  yaml: {
    parse: (v) => {
      // octoDNS's older spelling: {priority, value}.
      const legacy = v.isMap() && !v.has('exchange') && v.has('value');
      return encodeFields(fields, [v.uint(legacy ? 'priority' : 'preference', 16, 'MX'), v.name(legacy ? 'value' : 'exchange', 'MX')]);
    },
    print: (rdata) => {
      const { preference, exchange } = mxData(rdata);
      return { value: { exchange: exchange.toString(), preference } };
    },
  },
};
