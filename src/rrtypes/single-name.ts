// The types whose data is one domain name (NS, CNAME, PTR: RFC 1035 §3.3), all
// compressible, lowercased in canonical form, written in YAML as the name alone.
import { readName, type Name } from '../wire/name.js';
import { encodeFields } from './fields.js';
import type { Field, RRTypeModule } from './rrtype.js';
import { parseDomainName } from './values.js';

const fields: readonly Field[] = [{ kind: 'name', label: 'target' }];

/** The data of a record of one of these types pointing at `target`. */
export function singleNameData(target: Name): Buffer {
  return encodeFields(fields, [target]);
}

/** The YAML shape of a type whose data is one name (octoDNS's CNAME, DNAME, ALIAS): the name alone. */
export function nameYaml(mnemonic: string): RRTypeModule['yaml'] {
  return {
    parse: (v) => encodeFields(fields, [parseDomainName(v.text(`${mnemonic} value`), v.origin)]),
    print: (rdata) => ({ value: readName(rdata, 0).name.toString() }),
  };
}

export function singleName(code: number, mnemonic: string, additional: boolean): RRTypeModule {
  return {
    code,
    mnemonic,
    fields,
    compress: true,
    decompress: true,
    canonicalLower: true,
    target: 0,
    ...(additional ? { additional: 0 } : {}),
    yaml: nameYaml(mnemonic),
  };
}
