// SRV (RFC 2782): the target is never compressed (RFC 3597 §4), but senders that
// do compress it are read; the target's addresses go in the additional section.
import type { Name } from '../wire/name.js';
import { decodeFields, encodeFields } from './fields.js';
import type { Field, RRTypeModule } from './rrtype.js';

const fields: readonly Field[] = [
  { kind: 'u16', label: 'priority' }, { kind: 'u16', label: 'weight' }, { kind: 'u16', label: 'port' }, { kind: 'name', label: 'target' },
];

export const SRV: RRTypeModule = {
  code: 33,
  mnemonic: 'SRV',
  fields,
  compress: false,
  decompress: true,
  canonicalLower: true,
  additional: 3,
  target: 3,
  yaml: {
    parse: (v) => encodeFields(fields, [v.uint('priority', 16, 'SRV'), v.uint('weight', 16, 'SRV'), v.uint('port', 16, 'SRV'), v.name('target', 'SRV')]),
    print: (rdata) => {
      const [priority, weight, port, target] = decodeFields(fields, 'SRV', rdata) as [number, number, number, Name];
      return { value: { priority, weight, port, target: target.toString() } };
    },
  },
};
