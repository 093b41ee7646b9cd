// NAPTR (RFC 3403 §4.1): order, preference, flags, services, regexp, replacement.
// The replacement is never compressed when written (RFC 3597 §4); YAML is octoDNS's mapping.
import type { Name } from '../wire/name.js';
import { decodeFields, encodeFields } from './fields.js';
import { plainType } from './plain.js';
import type { Field } from './rrtype.js';

const fields: readonly Field[] = [
  { kind: 'u16', label: 'order' }, { kind: 'u16', label: 'preference' }, { kind: 'string', label: 'flags' },
  { kind: 'string', label: 'services' }, { kind: 'string', label: 'regexp' }, { kind: 'name', label: 'replacement' },
];

const utf8 = (text: string) => Buffer.from(text, 'utf8');

export const NAPTR = plainType(35, 'NAPTR', fields, true, {
  yaml: {
    parse: (v) => encodeFields(fields, [
      v.uint('order', 16, 'NAPTR'), v.uint('preference', 16, 'NAPTR'),
      utf8(v.field('flags', 'NAPTR').text('NAPTR flags')), utf8(v.field('service', 'NAPTR').text('NAPTR service')),
      utf8(v.field('regexp', 'NAPTR').text('NAPTR regexp')), v.name('replacement', 'NAPTR'),
    ]),
    print: (rdata) => {
      const [order, preference, flags, service, regexp, replacement] = decodeFields(fields, 'NAPTR', rdata) as [number, number, Buffer, Buffer, Buffer, Name];
      return { value: { order, preference, flags: flags.toString('utf8'), service: service.toString('utf8'), regexp: regexp.toString('utf8'), replacement: replacement.toString() } };
    },
  },
});
