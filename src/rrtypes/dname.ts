// DNAME (RFC 6672): one target name, never compressed when written (§2.5) but
// read when a sender did; lowercased in canonical form (RFC 4034 §6.2). The
// answer semantics (CNAME synthesis) are the answer code's.
import { plainType } from './plain.js';
import type { Field } from './rrtype.js';
import { nameYaml } from './single-name.js';

const fields: readonly Field[] = [{ kind: 'name', label: 'target' }];

export const DNAME = {
  // octoDNS: the target name alone, as for CNAME.
  ...plainType(39, 'DNAME', fields, true, { yaml: nameYaml('DNAME') }),
  // The name the answer rewrites query names into (RFC 6672 §2.2).
  target: 0,
};
