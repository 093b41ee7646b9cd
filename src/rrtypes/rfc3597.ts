// Every type rotor has no module for travels as RFC 3597 data: opaque octets,
// written as "\# LENGTH HEX". A few of them hold names that senders may have
// compressed (RFC 3597 §4: the types of RFC 1035, and those receivers are told
// to decompress): their layouts say where, so that the names are read in full.
import type { Field, RRTypeModule } from './rrtype.js';

const name = (label: string): Field => ({ kind: 'name', label });
const u16 = (label: string): Field => ({ kind: 'u16', label });
const str = (label: string): Field => ({ kind: 'string', label });
const rest: Field = { kind: 'octets', label: 'rest' };

const NAME_LAYOUTS: Record<number, readonly Field[]> = {
  // MD MF MB MG MR
  3: [name('madname'), rest], 4: [name('madname'), rest], 7: [name('madname'), rest], 8: [name('mgmname'), rest], 9: [name('newname'), rest],
  14: [name('rmailbx'), name('emailbx'), rest], 17: [name('mbox'), name('txt'), rest], // MINFO RP
  18: [u16('subtype'), name('hostname'), rest], 21: [u16('preference'), name('intermediate'), rest], // AFSDB RT
  26: [u16('preference'), name('map822'), name('mapx400'), rest], // PX
  35: [u16('order'), u16('preference'), str('flags'), str('services'), str('regexp'), name('replacement'), rest], // NAPTR
};

const OPAQUE: readonly Field[] = [rest];

/** RFC 3597 §5 text of any data; "\\# 0" is how empty data is written. */
export function genericText(rdata: Buffer): string {
  return rdata.length ? `\\# ${rdata.length} ${rdata.toString('hex').toUpperCase()}` : '\\# 0';
}

/** The RFC 3597 form of type `code`; `mnemonic` is how dig spells it. */
export function genericType(code: number, mnemonic: string): RRTypeModule {
  const layout = NAME_LAYOUTS[code];
  return {
    code,
    mnemonic,
    generic: true,
    fields: layout ?? OPAQUE,
    compress: false,
    decompress: layout !== undefined,
    // All of these are in RFC 4034 §6.2's list.
    canonicalLower: layout !== undefined,
    printText: genericText,
    yaml: {
      parse: (v) => v.fail('YAML zones have no syntax for RFC 3597 data'),
      print: () => ({ reason: 'YAML zones have no syntax for RFC 3597 data' }),
    },
  };
}
