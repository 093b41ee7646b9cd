// The types that are a list of fields and nothing more, and the YAML shape of the
// types octoDNS has no shape for: the master-file text after the type, names in
// full, as `value` (README "Record types").
import type { Name } from '../wire/name.js';
import { decodeFields, printFields } from './fields.js';
import type { Field, RRTypeModule } from './rrtype.js';

const absolute = (n: Name) => n.toString();

/** The YAML shape "value: <master-file text>"; `print` gives the text with names written through its argument. */
export function textYaml(mnemonic: string, print: (rdata: Buffer, name: (n: Name) => string) => string): RRTypeModule['yaml'] {
  return {
    parse: (v) => v.fromText(mnemonic),
    print: (rdata) => ({ value: print(rdata, absolute) }),
  };
}

/**
 * A type that is its fields: names (if any) never compressed when written (RFC
 * 3597 §4) but read when a sender compressed them, lowercased in canonical form
 * when `canonicalLower`, and YAML as text unless `extra` gives another shape.
 */
export function plainType(
  code: number, mnemonic: string, fields: readonly Field[], canonicalLower: boolean, extra: Partial<RRTypeModule> = {},
): RRTypeModule {
  return {
    code,
    mnemonic,
    fields,
    compress: false,
    decompress: fields.some((f) => f.kind === 'name'),
    canonicalLower,
    yaml: textYaml(mnemonic, extra.printText ?? ((rdata, name) => printFields(fields, decodeFields(fields, mnemonic, rdata), name))),
    ...extra,
  };
}
