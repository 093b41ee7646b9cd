// URI (RFC 7553): priority, weight and the target URI as one quoted string.
// YAML: octoDNS's {priority, weight, target}; the master-file text as `value`
// (rotor's shape before octoDNS had URI) is still read.
import { decodeFields, encodeFields } from './fields.js';
import { plainType } from './plain.js';
import type { Field } from './rrtype.js';

const fields: readonly Field[] = [{ kind: 'u16', label: 'priority' }, { kind: 'u16', label: 'weight' }, { kind: 'octets', label: 'target' }];

export const URI = plainType(256, 'URI', fields, false, {
  yaml: {
    parse: (v) => v.isMap()
      ? encodeFields(fields, [v.uint('priority', 16, 'URI'), v.uint('weight', 16, 'URI'), Buffer.from(v.field('target', 'URI').text('URI target'), 'utf8')])
      : v.fromText('URI'),
    print: (rdata) => {
      const [priority, weight, target] = decodeFields(fields, 'URI', rdata) as [number, number, Buffer];
      return { value: { priority, weight, target: target.toString('utf8') } };
    },
  },
});
