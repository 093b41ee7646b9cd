// The types whose data is one or more character-strings (TXT, RFC 1035 §3.3.14;
// SPF, RFC 7208 §3.1). YAML holds UTF-8 text, with octoDNS's "\;" for ";", and
// splits a string longer than 255 octets as octoDNS and BIND do.
import { decodeFields, encodeFields } from './fields.js';
import type { Field, RRTypeModule } from './rrtype.js';
import { splitCharacterStrings } from './values.js';

const fields: readonly Field[] = [{ kind: 'strings', label: 'text' }];

/** octoDNS escapes ";" in TXT values as "\;". */
function txtOctets(text: string): Buffer {
  return Buffer.from(text.replace(/\\;/g, ';'), 'utf8');
}

function txtText(octets: Buffer): string {
  return octets.toString('utf8').replace(/;/g, '\\;');
}

export function isUtf8(octets: Buffer): boolean {
  return Buffer.from(octets.toString('utf8'), 'utf8').equals(octets);
}

export const NOT_UTF8 = 'YAML zones hold UTF-8 text and this is not';

export function textStrings(code: number, mnemonic: string): RRTypeModule {
  return {
    code,
    mnemonic,
    fields,
    compress: false,
    decompress: false,
    canonicalLower: false,
    yaml: {
      parse: (v) => {
        const items = v.items();
        const strings = items
          ? items.flatMap((s) => splitCharacterStrings(txtOctets(s.text(mnemonic))))
          : splitCharacterStrings(txtOctets(v.text(mnemonic)));
        return encodeFields(fields, [strings]);
      },
      print: (rdata) => {
        const [strings] = decodeFields(fields, mnemonic, rdata) as [Buffer[]];
        if (!strings.every(isUtf8)) return { reason: NOT_UTF8 };
        // The reader splits a string at 255 octets, so each character-string stays one item.
        return { value: strings.length === 1 ? txtText(strings[0]!) : strings.map(txtText) };
      },
    },
  };
}
