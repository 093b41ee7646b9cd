// CAA (RFC 8659): flags, a tag of letters and digits, and a value of any octets.
import { decodeFields, encodeFields, quoted } from './fields.js';
import type { Field, FieldValue, RRTypeModule } from './rrtype.js';
import { isUtf8, NOT_UTF8 } from './text-strings.js';
import { ValueError } from './values.js';

function tagProblem(tag: string): string | undefined {
  return /^[A-Za-z0-9]{1,255}$/.test(tag) ? undefined : `CAA tag "${tag}" must be letters and digits (RFC 8659)`;
}

const fields: readonly Field[] = [
  { kind: 'u8', label: 'flags' },
  // Printed bare, not quoted: it is letters and digits.
  { kind: 'string', label: 'tag', validate: (v: FieldValue) => tagProblem((v as Buffer).toString('latin1')) },
  { kind: 'octets', label: 'value' },
];

export const CAA: RRTypeModule = {
  code: 257,
  mnemonic: 'CAA',
  fields,
  compress: false,
  decompress: false,
  canonicalLower: false,
  // The tag is a bare word, checked as written (no escapes), and printed unquoted.
  parseText: (args) => encodeFields(fields, [
    args.uint(0, 8, 'CAA flags'),
    args.text(1, (t) => {
      const problem = tagProblem(t);
      if (problem) throw new ValueError(problem);
      return Buffer.from(t, 'latin1');
    }),
    args.octets(2),
  ]),
  printText: (rdata) => {
    const [flags, tag, value] = decodeFields(fields, 'CAA', rdata) as [number, Buffer, Buffer];
    return `${flags} ${tag.toString('latin1')} ${quoted(value)}`;
  },
  yaml: {
    parse: (v) => {
      const flags = v.isMap() && v.has('flags') ? v.uint('flags', 8, 'CAA') : 0;
      const tagNode = v.field('tag', 'CAA');
      const tag = tagNode.text('CAA tag');
      const problem = tagProblem(tag);
      if (problem) tagNode.fail(problem);
      const value = Buffer.from(v.field('value', 'CAA').text('CAA value'), 'utf8');
      return encodeFields(fields, [flags, Buffer.from(tag, 'latin1'), value]);
    },
    print: (rdata) => {
      const [flags, tag, value] = decodeFields(fields, 'CAA', rdata) as [number, Buffer, Buffer];
      if (!isUtf8(value)) return { reason: NOT_UTF8 };
      return { value: { flags, tag: tag.toString('latin1'), value: value.toString('utf8') } };
    },
  },
};
