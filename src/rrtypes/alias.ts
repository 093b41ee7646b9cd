// ALIAS: octoDNS's (and PowerDNS's, Route 53's) apex flattening record. Its
// data is one target name; A and AAAA questions at its owner are answered
// with the target's addresses (answer.ts says so with an 'alias' outcome,
// src/query/alias.ts looks them up). It is no IANA type: it travels in zone
// transfers as PowerDNS sends it, type 65401 (private use) with the target
// uncompressed, and master files get it in RFC 3597 form (`TYPE65401 \# ...`),
// which BIND, Knot and NSD load and rotor reads back as ALIAS. rotor's
// master-file reader also takes PowerDNS's own `ALIAS target.`.
import { RRType } from '../wire/types.js';
import { plainType } from './plain.js';
import type { Field } from './rrtype.js';
import { nameYaml } from './single-name.js';

const fields: readonly Field[] = [{ kind: 'name', label: 'target' }];

export const ALIAS = {
  // octoDNS: the target name alone, as for CNAME.
  ...plainType(RRType.ALIAS, 'ALIAS', fields, true, { yaml: nameYaml('ALIAS'), privateUse: true }),
  target: 0,
};
