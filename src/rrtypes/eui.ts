// EUI48 and EUI64 (RFC 7043): an address written as hex pairs joined by hyphens.
import { decodeFields, encodeFields } from './fields.js';
import { plainType } from './plain.js';
import type { Field, FieldValue } from './rrtype.js';
import { ValueError } from './values.js';

function euiType(code: number, mnemonic: string, octets: number) {
  const form = new RegExp(`^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){${octets - 1}}$`);
  const fields: readonly Field[] = [{
    kind: 'octets', label: 'address',
    validate: (v: FieldValue) => ((v as Buffer).length === octets ? undefined : `${mnemonic} data is ${octets} octets`),
  }];
  return plainType(code, mnemonic, fields, false, {
    parseText: (args) => encodeFields(fields, [args.text(0, (t) => {
      if (!form.test(t)) throw new ValueError(`"${t}" is not an ${mnemonic} address (${octets} hex pairs joined by "-", RFC 7043)`);
      return Buffer.from(t.replace(/-/g, ''), 'hex');
    })]),
    printText: (rdata) => (decodeFields(fields, mnemonic, rdata)[0] as Buffer).toString('hex').match(/../g)!.join('-'),
  });
}

export const EUI48 = euiType(108, 'EUI48', 6);
export const EUI64 = euiType(109, 'EUI64', 8);
